"""French wording of the amending agreement and the executed amendment."""

MESSAGES: dict[str, str] = {
    "title.amending_agreement": "Entente modificative",
    "title.executed_amendment": "Entente modificative (signée)",
    "amd.number": "nº {number}",
    "amd.opening": (
        "La présente entente modificative nº {number} modifie l’entente de paiement de transfert "
        "{reference} conclue entre {fund} (le « Fonds ») et {organisation} (le « bénéficiaire ») "
        "(l’« Entente »)."
    ),
    "amd.in_force": (
        "L’entente en vigueur est l’Entente telle que signée à l’origine, avec chaque entente "
        "modificative signée par les deux parties, dans l’ordre de leurs numéros. L’Entente "
        "signée à l’origine n’est pas réémise."
    ),
    "amd.changes": "Modifications",
    "amd.term": "Condition",
    "amd.before": "Avant",
    "amd.after": "Après",
    "amd.reasons": "Motifs des modifications",
    "amd.term.approved_cents": "Financement maximal",
    "amd.term.end_date": "Date de fin du projet",
    "amd.term.annual_report_days": "Rapport annuel dû après la fin de l’exercice",
    "amd.term.final_report_days": "Rapport final dû après la fin du projet",
    "amd.days": "{days} jours",
    "amd.unchanged": "Toutes les autres conditions de l’Entente demeurent inchangées.",
    "amd.e.heading": "Annexe E modifiée : plan de paiement",
    "amd.e.intro": (
        "Les versements payés ou en cours de paiement demeurent tels quels. Les versements non "
        "encore payés sont planifiés de nouveau afin que l’ensemble des versements totalise le "
        "financement maximal de {approved}."
    ),
    "amd.e.offer": (
        "Ce plan est établi à la date de la présente offre. À la contresignature du Fonds, les "
        "versements non encore payés sont planifiés de nouveau à partir des paiements faits à "
        "ce moment, pour le même total ; la modification signée indique le plan en vigueur."
    ),
    "amd.e.executed": "Voici le plan de paiement en vigueur depuis la contresignature du Fonds.",
    "amd.f.heading": "Annexe F modifiée : rapports",
    "amd.f.intro": (
        "Les rapports déjà présentés ou acceptés demeurent tels quels ; les rapports à venir "
        "suivent la date de fin et le calendrier de rapports modifiés."
    ),
    "amd.status": "État",
    "amd.status.released": "Payé",
    "amd.status.initiated": "En cours de paiement",
    "amd.status.scheduled": "Prévu",
    "amd.status.held": "Suspendu",
    "amd.status.due": "À venir",
    "amd.status.submitted": "Présenté",
    "amd.status.returned": "Modifications demandées",
    "amd.status.accepted": "Accepté",
    "amd.signatures_intro": (
        "Chaque partie signe la présente entente modificative à la date indiquée avec sa "
        "signature. Elle entre en vigueur lorsque les deux parties l’ont signée."
    ),
    "amd.executed_title": "Modification signée",
    "amd.executed_notice": (
        "Le présent document est l’exemplaire signé de l’entente modificative nº {number} : "
        "signée au nom du bénéficiaire par {signer} le {signed_on} et contresignée au nom du "
        "Fonds par {countersigner} le {countersigned_on}, date de son entrée en vigueur."
    ),
}
