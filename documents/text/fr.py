"""Libellés français communs à tous les documents, et textes des lettres.

Write ordinary spaces before « : ; ! ? » and inside « »: the catalogue swaps them for
no-break spaces when it loads (see documents.formatting.french_typography).
"""

MESSAGES: dict[str, str] = {
    # Titres des types de documents
    "title.acknowledgement_of_receipt": "Accusé de réception",
    "title.deficiency_notice": "Avis de demande incomplète",
    "title.review_summary": "Sommaire de l’examen communautaire",
    "title.approval_memo": "Note d’approbation",
    "title.decision_letter": "Offre de financement",
    "title.decline_letter": "Décision de financement",
    "title.grant_agreement": "Entente de paiement de transfert",
    "title.executed_agreement": "Entente de paiement de transfert (signée)",
    "title.payment_authorization": "Autorisation de paiement",
    "title.remittance_advice": "Avis de versement",
    "title.report_receipt": "Accusé de réception de rapport",
    "title.report_reminder": "Rappel de rapport",
    "title.overdue_notice": "Avis de rapport en retard",
    "title.lapse_notice": "Avis d’expiration de l’offre",
    "title.reconciliation_letter": "Rapprochement financier",
    "title.holdback_release_letter": "Versement de la retenue",
    "title.closeout_certificate": "Certificat de clôture",
    # Libellés des moteurs de rendu
    "label.page_of": "Page {page} de {pages}",
    "label.signature": "Signature",
    "label.name": "Nom",
    "label.title": "Fonction",
    "label.date": "Date",
    "label.signed_electronically": "Signé électroniquement",
    "label.between": "Entre",
    "label.and": "Et",
    # Commun
    "common.issued": "Date d’émission : {date}",
    "common.reference": "Référence",
    "common.organisation": "Organisme",
    "common.legal_name": "Dénomination sociale",
    "common.operating_name": "Nom commercial",
    "common.business_number": "Numéro d’entreprise de l’ARC",
    "common.address": "Adresse",
    "common.project_title": "Titre du projet",
    "common.community": "Communauté",
    "common.project_period": "Durée du projet",
    "common.start_date": "Date de début",
    "common.end_date": "Date de fin",
    "common.requested": "Montant demandé",
    "common.approved": "Montant approuvé",
    "common.submitted": "Date de présentation",
    "common.attention": "À l’attention de : {name}, {title}",
    "common.operating_as": "Exerçant ses activités sous le nom de {name}",
    "common.re": "Objet : {subject}",
    "common.dear": "Bonjour {name},",
    "common.dear_generic": "Madame, Monsieur,",
    "common.sincerely": "Veuillez agréer mes salutations distinguées.",
    "common.yes": "Oui",
    "common.no": "Non",
    "common.not_recorded": "Non consigné",
    "common.total": "Total",
    "common.amount": "Montant",
    "common.due_date": "Date d’échéance",
    "common.period": "Période",
    "common.fiscal_year": "Exercice",
    "common.number": "Nº",
    "common.contact_us": (
        "Pour toute question, veuillez communiquer avec votre agente ou agent de programme en "
        "indiquant la référence {reference}."
    ),
    "risk.low": "Faible",
    "risk.medium": "Moyen",
    "risk.high": "Élevé",
    "instalment.initial": "Paiement initial",
    "instalment.periodic": "Paiement périodique",
    "instalment.holdback": "Retenue",
    "report.annual": "Rapport annuel",
    "report.final": "Rapport final",
    "privacy.title": "Avis de collecte de renseignements personnels",
    "privacy.text": (
        "Les renseignements personnels contenus dans votre demande sont recueillis afin "
        "d’évaluer la demande et, si elle est financée, d’administrer la subvention et de rendre "
        "compte du programme. Ils sont traités conformément à la Loi sur l’accès à l’information "
        "et la protection de la vie privée (Ontario) (LAIPVP) ; les renseignements fournis au "
        "Fonds peuvent être divulgués selon ce que prévoit cette loi. Les données communautaires "
        "demeurent régies par votre entente de gouvernance des données. Pour toute question au "
        "sujet de cette collecte, veuillez communiquer avec votre agente ou agent de programme."
    ),
    # Accusé de réception
    "ack.subject": "Demande {reference} : {project}",
    "ack.body": (
        "Nous vous remercions de votre demande. La présente confirme que le Fonds a reçu la "
        "demande de {organisation} le {submitted}."
    ),
    "ack.next": "Prochaines étapes",
    "ack.step1": (
        "Une agente ou un agent de programme vérifie l’admissibilité de la demande : inscription "
        "complète, attestation de direction autochtone, résolution de la communauté et "
        "consentement relatif à la gouvernance des données."
    ),
    "ack.step2": (
        "S’il manque des éléments, nous vous enverrons un avis précisant les renseignements "
        "requis et la date limite pour les fournir."
    ),
    "ack.step3": (
        "Les demandes admissibles sont transmises au comité d’examen communautaire, un comité "
        "autochtone qui compte parmi ses membres une ou un Aîné et une personne conseillère "
        "survivante ayant une expérience vécue."
    ),
    "ack.step4": (
        "Vous recevrez une décision écrite. L’examen dure de huit à dix semaines environ."
    ),
    "ack.standard": (
        "Notre norme de service consiste à accuser réception de chaque demande dans un délai de "
        "deux jours ouvrables."
    ),
    "ack.quote": (
        "Veuillez indiquer la référence {reference} dans toute correspondance concernant cette "
        "demande."
    ),
    # Avis de demande incomplète
    "def.subject": "Demande incomplète {reference} : {project}",
    "def.intro": (
        "Nous vous remercions de votre demande. Lors de la vérification de l’admissibilité, nous "
        "avons constaté que les renseignements suivants sont manquants ou incomplets :"
    ),
    "def.cure": "Veuillez fournir ces éléments au plus tard le {cure_by}.",
    "def.cure_days": (
        "Vous disposez ainsi de {days} jours civils à compter de la date du présent avis."
    ),
    "def.consequence": (
        "Si la demande n’est pas présentée de nouveau avec ces éléments d’ici cette date, elle "
        "est fermée et ne passe pas à l’étape de l’examen communautaire."
    ),
    "def.how": (
        "Ajoutez les éléments manquants à votre demande sur sa page dans grantflow, ou "
        "transmettez-les à votre agente ou agent de programme en indiquant la référence "
        "{reference}, puis présentez de nouveau la demande d’ici cette date."
    ),
    "def.extension_title": "Si cette date pose problème",
    "def.extension": (
        "Si des événements dans votre communauté, comme un décès, une cérémonie ou une urgence, "
        "rendent cette date difficile à respecter, communiquez avec votre agente ou agent de "
        "programme avant l’échéance."
    ),
    # Offre de financement
    "decision.subject": "Offre de financement : {project} ({reference})",
    "decision.intro": (
        "J’ai le plaisir de vous informer qu’à la suite de la recommandation du comité d’examen "
        "communautaire, le Fonds a approuvé un financement maximal de {approved} pour votre "
        "projet."
    ),
    "decision.offer_expires": "Date d’expiration de l’offre",
    "decision.conditions": "Conditions de l’offre",
    "decision.conditions_intro": (
        "Cette offre est assortie des conditions suivantes, qui font partie de l’annexe B de "
        "l’entente :"
    ),
    "decision.no_conditions": "Cette offre n’est assortie d’aucune condition particulière.",
    "decision.insurance": (
        "Avant le premier paiement, votre organisme doit fournir un certificat d’assurance "
        "responsabilité civile générale des entreprises d’au moins {insurance}."
    ),
    "decision.sign_heading": "Comment accepter cette offre",
    "decision.sign1": (
        "Prenez connaissance de l’entente de paiement de transfert ci-jointe et de ses annexes "
        "A à F."
    ),
    "decision.sign2": (
        "La personne ayant le pouvoir de signature de votre organisme signe l’entente "
        "électroniquement sur la page du dossier dans grantflow. Les signatures électroniques "
        "sont valides."
    ),
    "decision.sign3": (
        "Le Fonds contresigne ensuite l’entente, et vous en recevez l’exemplaire signé."
    ),
    "decision.sign4": (
        "Le premier paiement est effectué une fois l’entente signée par les deux parties et ses "
        "conditions remplies."
    ),
    "decision.expiry": (
        "Cette offre expire le {date}. Si l’entente n’est pas signée d’ici là, l’offre devient "
        "caduque."
    ),
    "decision.feedback_heading": "Rétroaction",
    "decision.feedback": (
        "Nous serons heureux de vous faire part des commentaires du comité. Veuillez communiquer "
        "avec votre agente ou agent de programme pour convenir d’un entretien."
    ),
    "decision.congrats": (
        "Félicitations, et merci du travail que vous accomplissez dans votre communauté."
    ),
    # Lettre de refus
    "decline.subject": "Votre demande {reference} : {project}",
    "decline.thanks": (
        "Nous vous remercions du soin que votre organisme a consacré à sa demande, ainsi que du "
        "travail que vous accomplissez dans votre communauté."
    ),
    "decline.screening": (
        "Après examen de l’admissibilité de votre demande, nous avons le regret de vous informer "
        "que nous ne pouvons pas la transmettre à l’étape de l’examen communautaire."
    ),
    "decline.approval": (
        "Après un examen attentif, qui tient compte de l’avis du comité d’examen communautaire, "
        "nous avons le regret de vous informer que nous ne sommes pas en mesure de financer "
        "votre demande pour le moment."
    ),
    "decline.reason_heading": "Motif de la décision",
    "decline.feedback_heading": "Un entretien au sujet de cette décision",
    "decline.feedback": (
        "Nous vous invitons à un entretien au sujet de cette décision et des façons dont le "
        "Fonds pourrait soutenir votre travail à l’avenir. Veuillez communiquer avec votre "
        "agente ou agent de programme pour le planifier."
    ),
    "decline.future": (
        "Cette décision n’a aucune incidence sur votre admissibilité aux prochains appels de "
        "demandes."
    ),
}
