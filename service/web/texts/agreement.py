"""The words of the data-governance agreement's page, in English and French."""

from __future__ import annotations

WORDS: dict[str, dict[str, str]] = {
    "en": {
        "agreement.title": "Data-governance agreement",
        "agreement.link": "Data-governance agreement",
        "agreement.intro": (
            "The agreement says what {name}’s data may be used for, who may read the "
            "community review’s deliberation notes, how long records are kept and what happens "
            "to the review content when a grant closes. It changes only when both the "
            "organisation and the Fund agree: one proposes, the other accepts."
        ),
        "agreement.in_force": "In force: version {version}",
        "agreement.none_in_force": "No version is in force yet.",
        "agreement.pending": "Waiting for acceptance: version {version}",
        "agreement.proposed_by": "Proposed by",
        "agreement.history": "Every version",
        "agreement.version": "Version",
        "agreement.proposed_at": "Proposed",
        "agreement.accepted_at": "Accepted",
        "agreement.not_accepted": "Not yet",
        "agreement.term.purposes": "Purposes",
        "agreement.term.notes_readers": "Who may read the deliberation notes",
        "agreement.term.retention_years": "Records kept (years)",
        "agreement.term.secondary_use": "Other use",
        "agreement.term.at_close": "At close",
        "agreement.purpose.grant_administration": "Administering the grant",
        "agreement.purpose.program_evaluation_aggregate": "Program evaluation, in aggregate",
        "agreement.purpose.ministry_reporting_aggregate": "Reporting to the ministry, in aggregate",
        "agreement.notes_readers.none": "No one beyond the panel",
        "agreement.notes_readers.governance_body": "The organisation’s governance body",
        "agreement.notes_readers.governance_and_auditors": (
            "The organisation’s governance body and the Fund’s auditors"
        ),
        "agreement.secondary_use.none": "None",
        "agreement.secondary_use.aggregate_only": "In aggregate only",
        "agreement.secondary_use.with_consent": "Only with the organisation’s consent",
        "agreement.at_close.return_and_delete": (
            "Return the review content to the organisation, then delete it"
        ),
        "agreement.at_close.destroy": "Delete the review content, without a copy",
        "agreement.at_close.keep": "The Fund keeps the review content",
        "agreement.party.organisation": "The organisation",
        "agreement.party.fund": "The Fund",
        "agreement.party.registration": "Registration",
        "agreement.propose_title": "Propose new terms",
        "agreement.propose_intro": (
            "Your proposal is in force only once the other party accepts it."
        ),
        "agreement.propose": "Propose these terms",
        "agreement.accept": "Accept version {version}",
        "agreement.waiting_for_other": "The other party has not accepted it yet.",
        "agreement.proposed": "Your proposal is recorded. It is in force once the other party accepts it.",
        "agreement.accepted": "The new version is in force.",
        "agreement.refused.agreement-unchanged": "These terms are the ones in force. Change at least one.",
        "agreement.refused.agreement-proposal-pending": (
            "A proposal is already waiting. It must be accepted before another is made."
        ),
        "agreement.refused.agreement-own-proposal": "The other party accepts a proposal, not the one who made it.",
        "agreement.refused.agreement-proposal-decided": "This proposal is no longer waiting.",
        "agreement.refused.invalid-payload": (
            "Choose at least grant administration as a purpose, and keep records 7 to 25 years."
        ),
    },
    "fr": {
        "agreement.title": "Entente de gouvernance des données",
        "agreement.link": "Entente de gouvernance des données",
        "agreement.intro": (
            "L’entente précise à quoi peuvent servir les données de {name}, qui peut "
            "lire les notes de délibération de l’évaluation communautaire, combien de temps les "
            "dossiers sont conservés et ce qu’il advient du contenu de l’évaluation à la clôture "
            "d’une subvention. Elle ne change que si l’organisme et le Fonds y consentent tous "
            "deux\u202f: l’un propose, l’autre accepte."
        ),
        "agreement.in_force": "En vigueur\u00a0: version {version}",
        "agreement.none_in_force": "Aucune version n’est encore en vigueur.",
        "agreement.pending": "En attente d’acceptation\u00a0: version {version}",
        "agreement.proposed_by": "Proposée par",
        "agreement.history": "Toutes les versions",
        "agreement.version": "Version",
        "agreement.proposed_at": "Proposée",
        "agreement.accepted_at": "Acceptée",
        "agreement.not_accepted": "Pas encore",
        "agreement.term.purposes": "Fins",
        "agreement.term.notes_readers": "Qui peut lire les notes de délibération",
        "agreement.term.retention_years": "Conservation des dossiers (années)",
        "agreement.term.secondary_use": "Autre utilisation",
        "agreement.term.at_close": "À la clôture",
        "agreement.purpose.grant_administration": "Administration de la subvention",
        "agreement.purpose.program_evaluation_aggregate": "Évaluation du programme, en données agrégées",
        "agreement.purpose.ministry_reporting_aggregate": (
            "Rapports au ministère, en données agrégées"
        ),
        "agreement.notes_readers.none": "Personne en dehors du comité",
        "agreement.notes_readers.governance_body": "L’instance de gouvernance de l’organisme",
        "agreement.notes_readers.governance_and_auditors": (
            "L’instance de gouvernance de l’organisme et les vérificateurs du Fonds"
        ),
        "agreement.secondary_use.none": "Aucune",
        "agreement.secondary_use.aggregate_only": "En données agrégées seulement",
        "agreement.secondary_use.with_consent": "Seulement avec le consentement de l’organisme",
        "agreement.at_close.return_and_delete": (
            "Remettre le contenu de l’évaluation à l’organisme, puis l’effacer"
        ),
        "agreement.at_close.destroy": "Effacer le contenu de l’évaluation, sans copie",
        "agreement.at_close.keep": "Le Fonds conserve le contenu de l’évaluation",
        "agreement.party.organisation": "L’organisme",
        "agreement.party.fund": "Le Fonds",
        "agreement.party.registration": "Inscription",
        "agreement.propose_title": "Proposer de nouvelles conditions",
        "agreement.propose_intro": (
            "Votre proposition n’entre en vigueur qu’une fois acceptée par l’autre partie."
        ),
        "agreement.propose": "Proposer ces conditions",
        "agreement.accept": "Accepter la version {version}",
        "agreement.waiting_for_other": "L’autre partie ne l’a pas encore acceptée.",
        "agreement.proposed": (
            "Votre proposition est consignée. Elle entre en vigueur une fois acceptée par "
            "l’autre partie."
        ),
        "agreement.accepted": "La nouvelle version est en vigueur.",
        "agreement.refused.agreement-unchanged": (
            "Ces conditions sont celles en vigueur. Modifiez-en au moins une."
        ),
        "agreement.refused.agreement-proposal-pending": (
            "Une proposition est déjà en attente. Elle doit être acceptée avant qu’une autre "
            "soit faite."
        ),
        "agreement.refused.agreement-own-proposal": (
            "C’est l’autre partie qui accepte une proposition, pas son auteur."
        ),
        "agreement.refused.agreement-proposal-decided": "Cette proposition n’est plus en attente.",
        "agreement.refused.invalid-payload": (
            "Choisissez au moins l’administration de la subvention comme fin, et conservez les "
            "dossiers de 7 à 25 ans."
        ),
    },
}
