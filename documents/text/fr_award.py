"""Textes français des documents postérieurs à l'entente : paiements, rapports, clôture."""

MESSAGES: dict[str, str] = {
    # Avis de versement
    "remit.subject": "Paiement versé : {project} ({reference})",
    "remit.intro": (
        "Le Fonds a versé à votre organisme le paiement ci-dessous, conformément à l’annexe E de "
        "votre entente."
    ),
    "remit.released_on": "Date du versement",
    "remit.amount": "Montant du paiement",
    "remit.paid_to_date": "Total versé à ce jour",
    "remit.remaining": "Solde prévu par l’entente",
    "remit.records": (
        "Veuillez conserver cet avis avec les dossiers financiers du projet (article A4 de votre "
        "entente)."
    ),
    "remit.check": (
        "Si vous n’attendiez pas ce paiement ou si le montant semble erroné, veuillez "
        "communiquer avec votre agente ou agent de programme."
    ),
    # Accusé de réception de rapport
    "receipt.subject": "Rapport reçu : {project} ({reference})",
    "receipt.intro": "Merci. Nous avons reçu le rapport ci-dessous le {received}.",
    "receipt.report": "Rapport",
    "receipt.received": "Date de réception",
    "receipt.expenditure": "Dépenses déclarées",
    "receipt.not_reported": "Non déclarées",
    "receipt.counts": "Données agrégées transmises",
    "receipt.measure": "Indicateur",
    "receipt.count": "Nombre",
    "receipt.count_not_reported": "non déclaré",
    "receipt.no_counts": "Aucune donnée agrégée n’a été transmise avec ce rapport.",
    "receipt.next": (
        "Votre agente ou agent de programme examinera le rapport, et grantflow vous indiquera "
        "par courriel s’il est accepté ou s’il doit être modifié."
    ),
    "measure.people_served_new": "Personnes servies (nouvelles)",
    "measure.people_served_continuing": "Personnes servies (suivi continu)",
    "measure.service_contacts": "Contacts de service",
    "measure.referrals": "Aiguillages",
    "measure.culturally_based_services": "Services fondés sur la culture offerts",
    # Rappel de rapport (avant l’échéance)
    "reminder.subject": "{report} : {project} ({reference})",
    "reminder.due_today": (
        "Nous vous rappelons que le rapport ci-dessous doit être remis aujourd’hui, le {due}."
    ),
    "reminder.due_tomorrow": (
        "Nous vous rappelons que le rapport ci-dessous doit être remis demain, le {due}."
    ),
    "reminder.due_in": (
        "Nous vous rappelons que le rapport ci-dessous doit être remis le {due}, soit dans "
        "{days} jours."
    ),
    "reminder.how": (
        "Veuillez soumettre le rapport sur la page du dossier dans grantflow. Les rapports ne "
        "contiennent que des données agrégées : n’y incluez jamais de noms ni d’autres "
        "renseignements sur les personnes que vous servez."
    ),
    "reminder.help": (
        "Si vous avez besoin d’aide ou de plus de temps, veuillez communiquer avec votre agente "
        "ou agent de programme."
    ),
    # Avis de rapport en retard (les consignes et l’aide sont celles du rappel)
    "overdue.subject": "{report} en retard : {project} ({reference})",
    "overdue.late_one": (
        "Le rapport ci-dessous devait être remis le {due} ; il est en retard d’un jour."
    ),
    "overdue.late": (
        "Le rapport ci-dessous devait être remis le {due} ; il est en retard de {days} jours."
    ),
    "overdue.days": "Jours de retard",
    "overdue.hold_title": "Paiements suspendus",
    "overdue.rule": (
        "Conformément à l’article A2 de votre entente, les paiements sont suspendus tant qu’un "
        "rapport est en retard."
    ),
    "overdue.held_one": "Le versement {numbers} a donc été suspendu.",
    "overdue.held_many": "Les versements {numbers} ont donc été suspendus.",
    "overdue.held_none": "Aucun paiement prévu n’a été touché par cette suspension.",
    "overdue.and": "{first} et {last}",
    "overdue.held_caption": "Versements suspendus",
    "overdue.resume": (
        "Les versements suspendus reprendront une fois le rapport soumis et accepté par votre "
        "agente ou agent de programme ; la seule soumission du rapport ne suffit pas. grantflow "
        "lève leur suspension dès que le rapport est accepté, sauf si un autre rapport est "
        "alors en retard."
    ),
    # Avis d’expiration de l’offre
    "lapse.subject": "Offre de financement caduque : {project} ({reference})",
    "lapse.offer_on": (
        "Le {decided}, le Fonds a offert à votre organisme un financement maximal de {approved} "
        "pour le projet ci-dessous."
    ),
    "lapse.offer": (
        "Le Fonds a offert à votre organisme un financement maximal de {approved} pour le projet "
        "ci-dessous."
    ),
    "lapse.not_signed": (
        "Pour accepter l’offre, il fallait signer l’entente de paiement de transfert au plus "
        "tard le {expires}. L’entente n’a pas été signée dans ce délai ; l’offre est donc "
        "devenue caduque et ne peut plus être signée."
    ),
    "lapse.decided": "Date de l’offre",
    "lapse.deadline": "Date limite de signature",
    "lapse.released": "Montant retourné à l’enveloppe du Fonds",
    "lapse.funds": (
        "Les fonds approuvés ({released}) retournent à l’enveloppe du Fonds, où ils pourront "
        "soutenir d’autres organismes demandeurs."
    ),
    "lapse.future": "Votre organisme peut présenter une demande dans le cadre d’un prochain appel.",
    # Rapprochement financier
    "recon.subject": "Rapprochement financier : {project} ({reference})",
    "recon.intro": (
        "Nous avons rapproché les paiements effectués en vertu de votre entente et les dépenses "
        "que vous avez déclarées. Les résultats figurent ci-dessous."
    ),
    "recon.item": "Élément",
    "recon.approved": "Financement maximal approuvé",
    "recon.paid": "Versements à votre organisme (avant la retenue)",
    "recon.expenditure": "Dépenses déclarées",
    "recon.unspent": "Fonds non dépensés",
    "recon.holdback_planned": "Retenue prévue",
    "recon.holdback_payable": "Retenue à verser",
    "recon.holdback_withheld": "Retenue conservée par le Fonds",
    "recon.repayment_due": "Remboursement exigé",
    "recon.repayment_heading": "Avis de remboursement",
    "recon.repayment": (
        "Conformément à l’article A11 de votre entente, les fonds non dépensés doivent être "
        "remboursés. La somme de {amount} est due au Fonds au plus tard le {date}."
    ),
    "recon.repayment_no_date": (
        "Conformément à l’article A11 de votre entente, les fonds non dépensés doivent être "
        "remboursés. La somme de {amount} est due au Fonds dans les 30 jours suivant la date de "
        "la présente lettre."
    ),
    "recon.repayment_how": (
        "Veuillez payer par virement électronique ou par chèque à l’ordre de « {fund} », en "
        "indiquant la référence {reference}. Si un remboursement intégral vous cause des "
        "difficultés, communiquez avec votre agente ou agent de programme pour convenir d’un "
        "calendrier de remboursement."
    ),
    "recon.no_repayment": "Aucun remboursement n’est exigé.",
    "recon.holdback_heading": "La retenue",
    "recon.holdback_rule": (
        "La retenue couvre les dépenses déclarées qui dépassent les versements déjà effectués, "
        "jusqu’à concurrence de la retenue prévue à l’annexe E. La partie qui n’est pas "
        "nécessaire à cette fin est conservée par le Fonds et n’est pas versée."
    ),
    "recon.holdback_none": "Votre entente ne prévoyait aucune retenue.",
    "recon.holdback_released": (
        "Sur la retenue de {planned}, une somme de {released} a été versée à votre organisme."
    ),
    "recon.holdback_payable_full": (
        "La retenue de {amount} est payable en entier et sera versée à votre organisme sous peu."
    ),
    "recon.holdback_payable_part": (
        "Vos dépenses déclarées dépassent de {payable} les versements effectués ; une somme de "
        "{payable} sur la retenue de {planned} est donc payable et sera versée à votre "
        "organisme sous peu."
    ),
    "recon.holdback_withheld_all": (
        "Les versements déjà effectués à votre organisme couvrent la totalité des dépenses que "
        "vous avez déclarées ; aucune partie de la retenue de {amount} n’est donc payable : "
        "elle est conservée en entier par le Fonds et ne sera pas versée."
    ),
    "recon.holdback_withheld_terminated": (
        "L’entente a été résiliée ; la retenue de {amount} ne sera donc pas versée : elle est "
        "conservée en entier par le Fonds."
    ),
    "recon.holdback_withheld_rest": (
        "Le solde de {amount} de la retenue est conservé par le Fonds et ne sera pas versé."
    ),
    # Versement de la retenue
    "holdback.subject": "Versement de la retenue : {project} ({reference})",
    "holdback.subject_withheld": "Retenue non versée : {project} ({reference})",
    "holdback.title_withheld": "Retenue non versée",
    "holdback.intro": (
        "Votre rapport final a été accepté. Le Fonds a versé la retenue de {amount} à votre "
        "organisme le {date}."
    ),
    "holdback.intro_part": (
        "Votre rapport final a été accepté. Sur la retenue de {planned}, le rapprochement de "
        "clôture a établi une somme payable de {payable} ; le Fonds a versé {payable} à votre "
        "organisme le {date}. Le solde de {withheld} est conservé par le Fonds et ne sera pas "
        "versé."
    ),
    "holdback.intro_withheld": (
        "Votre rapport final a été accepté. Aucune retenue n’est versée : les versements déjà "
        "effectués à votre organisme couvrent la totalité des dépenses que vous avez déclarées ; "
        "la retenue de {amount} est donc conservée en entier par le Fonds et ne sera pas versée."
    ),
    "holdback.intro_none": (
        "Votre rapport final a été accepté. Votre entente ne prévoyait aucune retenue ; aucun "
        "versement de retenue n’est donc effectué."
    ),
    "holdback.paid_before": "Versements effectués avant la retenue",
    "holdback.released": "Retenue versée",
    "holdback.paid_total": "Total versé en vertu de l’entente",
    "holdback.unpaid": "Fonds approuvés non versés",
    "holdback.repayment": (
        "Comme l’indique la lettre de rapprochement, un remboursement de {amount} reste dû au "
        "Fonds au plus tard le {date}."
    ),
    "holdback.repayment_no_date": (
        "Comme l’indique la lettre de rapprochement, un remboursement de {amount} reste dû au "
        "Fonds."
    ),
    "holdback.next": (
        "La subvention est maintenant close : son certificat de clôture accompagne la présente "
        "lettre."
    ),
    "holdback.thanks": "Nous vous remercions de votre travail et de votre partenariat.",
    # Certificat de clôture
    "closeout.certifies": (
        "Nous certifions que la subvention décrite ci-dessous a été close le {date}."
    ),
    "closeout.closed_on": "Date de clôture",
    "closeout.total_paid": "Total versé",
    "closeout.reports_accepted": "Rapports acceptés",
    "closeout.records": (
        "Le bénéficiaire conserve les dossiers financiers du projet pendant {years} ans après la "
        "fin de l’entente (article A4 de l’entente)."
    ),
    "closeout.data_title": "Le contenu de l’évaluation communautaire",
    "closeout.data_return_and_delete": (
        "Comme le prévoit l’entente de gouvernance des données de l’organisme (version "
        "{version}), le contenu de l’évaluation communautaire de cette subvention a été remis "
        "à l’organisme, puis effacé des dossiers du Fonds le {date}."
    ),
    "closeout.data_destroy": (
        "Comme le prévoit l’entente de gouvernance des données de l’organisme (version "
        "{version}), le contenu de l’évaluation communautaire de cette subvention a été effacé "
        "des dossiers du Fonds le {date}, sans copie."
    ),
    "closeout.data_keep": (
        "Comme le prévoit l’entente de gouvernance des données de l’organisme (version "
        "{version}), le Fonds conserve le contenu de l’évaluation communautaire de cette "
        "subvention avec ses dossiers."
    ),
    "closeout.returned": "Remis",
    "closeout.deleted": "Effacé",
    "closeout.kept": "Conservé",
    "closeout.item.review_rationale": "la justification du comité",
    "closeout.item.deliberation_notes": "les notes de délibération scellées",
    "closeout.item.conflict_notes": "notes sur les conflits d’intérêts ({count})",
    "closeout.item.documents": "documents qui les reproduisaient ({count})",
    "closeout.kept_list": (
        "montants, dates et paiements, budget, rapports de résultats agrégés, personnes-"
        "ressources, notes d’évaluation, l’entente et ses annexes (description du projet "
        "comprise), documents financiers et piste d’audit, qui consigne cette clôture"
    ),
    "closeout.thanks": "Le Fonds remercie {organisation} de son travail dans la communauté.",
    "closeout.signed_for": "Pour le Fonds",
}
