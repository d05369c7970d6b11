"""Textes français des courriels de notification (``documents.messages``).

Write ordinary spaces before « : ; ! ? » and inside « »: the catalogue swaps them for no-break
spaces when it loads (documents.formatting.french_typography)."""

MESSAGES: dict[str, str] = {
    # Commun
    "greeting": "Bonjour {name},",
    "greeting_generic": "Bonjour,",
    "about": "{reference} (« {project} »)",
    "report.annual": "votre rapport annuel (rapport nº {sequence})",
    "report.final": "votre rapport final (rapport nº {sequence})",
    "report.plain": "votre rapport nº {sequence}",
    "open": "Ouvrir dans grantflow : {link}",
    "left.many": "Il reste {days} jours.",
    "left.one": "Il reste un jour.",
    "left.today": "C’est aujourd’hui le dernier jour.",
    "submit": (
        "Veuillez soumettre le rapport sur la page du dossier dans grantflow. Les rapports ne "
        "contiennent que des données agrégées : n’y incluez jamais de noms ni d’autres "
        "renseignements sur des personnes."
    ),
    "help": (
        "Si vous avez besoin d’aide ou de plus de temps, veuillez communiquer avec votre agente "
        "ou agent de programme."
    ),
    "questions": (
        "Pour toute question, veuillez communiquer avec votre agente ou agent de programme."
    ),
    "future_call": "Votre organisme peut présenter une demande dans le cadre d’un prochain appel.",
    "footer.organisation": (
        "Ce message a été envoyé automatiquement par grantflow pour le Fonds. Veuillez ne pas y "
        "répondre ; pour toute question, communiquez avec votre agente ou agent de programme."
    ),
    "footer.staff": (
        "Ce message a été envoyé automatiquement par grantflow pour le Fonds. Veuillez ne pas y "
        "répondre. Pour recevoir ces avis un par un ou en un seul résumé quotidien, adressez-vous "
        "à votre administratrice ou administrateur."
    ),
    # À l’organisme
    "documents_ready.subject": "Documents disponibles : {reference}",
    "documents_ready.intro": (
        "Les documents suivants concernant le dossier {about} sont joints au présent message :"
    ),
    "documents_ready.also": "Vous les trouverez aussi sur la page du dossier dans grantflow.",
    "report_reminder.subject": "Rapport nº {sequence} à remettre le {deadline} : {reference}",
    "report_reminder.due.many": (
        "Nous vous rappelons que {report} du dossier {about} doit être remis le {deadline}, "
        "soit dans {days} jours."
    ),
    "report_reminder.due.one": (
        "Nous vous rappelons que {report} du dossier {about} doit être remis demain, le {deadline}."
    ),
    "report_reminder.due.today": (
        "Nous vous rappelons que {report} du dossier {about} doit être remis aujourd’hui, le "
        "{deadline}."
    ),
    "report_reminder.due.plain": (
        "Nous vous rappelons que {report} du dossier {about} doit être remis le {deadline}."
    ),
    "report_reminder.attached": "Le rappel est joint au présent message.",
    "report_overdue.subject": "Rapport nº {sequence} en retard, paiements suspendus : {reference}",
    "report_overdue.late.many": (
        "La date limite de remise de {report} du dossier {about} était le {deadline} ; le "
        "rapport est maintenant en retard de {days} jours."
    ),
    "report_overdue.late.one": (
        "La date limite de remise de {report} du dossier {about} était le {deadline} ; le "
        "rapport est maintenant en retard d’un jour."
    ),
    "report_overdue.late.plain": (
        "La date limite de remise de {report} du dossier {about} était le {deadline} ; le "
        "rapport est en retard."
    ),
    "report_overdue.hold": (
        "Conformément à votre entente, les paiements sont suspendus tant qu’un rapport est en "
        "retard. Ils reprendront une fois le rapport soumis et accepté par votre agente ou agent "
        "de programme."
    ),
    "report_overdue.attached": (
        "L’avis de rapport en retard joint au présent message donne les précisions."
    ),
    "offer_expiring.subject": "L’offre expire le {deadline} : {reference}",
    "offer_expiring.sign_by": (
        "L’offre de financement du dossier {about} doit être acceptée par la signature de "
        "l’entente au plus tard le {deadline}."
    ),
    "offer_expiring.how": (
        "La personne ayant le pouvoir de signature de votre organisme signe l’entente sur la "
        "page du dossier dans grantflow. Si l’entente n’est pas signée d’ici là, l’offre devient "
        "caduque."
    ),
    "offer_lapsed.subject": "Offre caduque : {reference}",
    "offer_lapsed.lapsed": (
        "L’entente du dossier {about} n’a pas été signée au plus tard le {deadline} ; l’offre "
        "de financement est donc devenue caduque et ne peut plus être signée. L’avis "
        "d’expiration de l’offre est joint au présent message."
    ),
    "cure_period_ending.subject": "Renseignements à fournir d’ici le {deadline} : {reference}",
    "cure_period_ending.by": (
        "Les renseignements demandés pour la demande {about} doivent être fournis, et la "
        "demande présentée de nouveau, au plus tard le {deadline}."
    ),
    "cure_period_ending.how": (
        "Ajoutez les renseignements à la demande et présentez-la de nouveau sur sa page dans "
        "grantflow. S’ils ne sont pas reçus d’ici cette date, la demande pourrait être fermée. "
        "Si vous avez besoin de plus de temps, veuillez communiquer avec votre agente ou agent "
        "de programme avant l’échéance."
    ),
    "application_closed_incomplete.subject": "Demande fermée : {reference}",
    "application_closed_incomplete.closed": (
        "Les renseignements demandés pour la demande {about} n’ont pas été reçus au plus tard "
        "le {deadline} ; la demande a donc été fermée."
    ),
    "report_returned.subject": "Rapport retourné pour modifications : {reference}",
    "report_returned.returned": (
        "Votre agente ou agent de programme vous a retourné {report} pour {about} afin que "
        "vous le modifiiez et peut vous indiquer les changements demandés ; soumettez de "
        "nouveau le rapport une fois corrigé."
    ),
    "report_accepted.subject": "Rapport accepté : {reference}",
    "report_accepted.accepted": (
        "Votre agente ou agent de programme a accepté {report} pour {about}. Aucune autre "
        "démarche n’est requise pour ce rapport."
    ),
    "amendment_declined.subject": "Modification non approuvée : {reference}",
    "amendment_declined.declined": (
        "Le Fonds n’a pas approuvé la modification proposée de l’entente du dossier {about}."
    ),
    "amendment_withdrawn.subject": "Modification retirée : {reference}",
    "amendment_withdrawn.withdrawn": (
        "Votre agente ou agent de programme a retiré la modification proposée de l’entente du "
        "dossier {about}."
    ),
    "amendment.unchanged": "L’entente en vigueur demeure inchangée.",
    "payment_held.subject": "Versement suspendu : {reference}",
    "payment_held.held": (
        "Le versement nº {instalment} pour {about} a été suspendu par votre agente ou agent de "
        "programme, qui peut vous en indiquer le motif. Il pourra être payé une fois la "
        "suspension levée."
    ),
    # Au personnel : la référence et le lien seulement
    "application_to_screen.subject": "grantflow : demande {reference} à examiner",
    "application_to_screen.body": (
        "La demande {reference} a été présentée et attend la vérification de l’admissibilité."
    ),
    "application_to_screen.line": "{reference} : demande à examiner (admissibilité)",
    "panel_ready.subject": "grantflow : notation du comité terminée pour {reference}",
    "panel_ready.body": (
        "La notation de la demande {reference} par le comité est terminée. Vous pouvez "
        "maintenant consigner la recommandation du comité."
    ),
    "panel_ready.line": "{reference} : notation du comité terminée, recommandation à consigner",
    "approval_pending.subject": "grantflow : demande {reference} en attente d’approbation",
    "approval_pending.body": "La demande {reference} attend une décision d’approbation.",
    "approval_pending.line": "{reference} : décision d’approbation en attente",
    "payment_to_initiate.subject": (
        "grantflow : versement {instalment} du dossier {reference} à amorcer"
    ),
    "payment_to_initiate.body": (
        "Le versement {instalment} de la subvention {reference} est prévu le {deadline} et "
        "attend d’être amorcé."
    ),
    "payment_to_initiate.line": (
        "{reference} : versement {instalment}, prévu le {deadline}, à amorcer"
    ),
    "payment_to_release.subject": (
        "grantflow : versement {instalment} du dossier {reference} à libérer"
    ),
    "payment_to_release.body": (
        "Le versement {instalment} de la subvention {reference} a été amorcé et attend d’être "
        "libéré. Il doit être libéré par une autre personne que celle qui l’a amorcé."
    ),
    "payment_to_release.line": "{reference} : versement {instalment} à libérer",
    "report_to_review.subject": (
        "grantflow : rapport nº {sequence} du dossier {reference} à examiner"
    ),
    "report_to_review.body": (
        "Le rapport nº {sequence} de la subvention {reference} a été soumis et attend votre examen."
    ),
    "report_to_review.line": "{reference} : rapport nº {sequence} à examiner",
    "amendment_to_approve.subject": (
        "grantflow : une modification du dossier {reference} attend une approbation"
    ),
    "amendment_to_approve.body": (
        "Une modification de l’entente de la subvention {reference} attend une décision "
        "d’approbation."
    ),
    "amendment_to_approve.line": "{reference} : approbation d’une modification en attente",
    "amendment_to_countersign.subject": (
        "grantflow : une modification du dossier {reference} attend la contresignature"
    ),
    "amendment_to_countersign.body": (
        "Le bénéficiaire a signé une entente modificative de la subvention {reference} ; elle "
        "attend la contresignature du Fonds."
    ),
    "amendment_to_countersign.line": "{reference} : entente modificative à contresigner",
    # Résumé quotidien (personnel)
    "digest.subject.one": "grantflow : 1 élément vous attend",
    "digest.subject.many": "grantflow : {count} éléments vous attendent",
    "digest.intro": "Ces éléments vous attendent dans grantflow :",
}
