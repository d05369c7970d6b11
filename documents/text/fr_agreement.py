"""Texte français de l'entente de paiement de transfert et de ses annexes A à F."""

MESSAGES: dict[str, str] = {
    "agr.fund_label": "Le Fonds",
    "agr.recipient_label": "Le bénéficiaire",
    "agr.fund_party": "le « Fonds »",
    "agr.recipient_party": "le « bénéficiaire »",
    "agr.opening": (
        "La présente entente de paiement de transfert (l’« Entente ») est conclue entre les "
        "parties suivantes : {fund} (le « Fonds ») et {organisation} (le « bénéficiaire »)."
    ),
    "agr.background": "Préambule",
    "agr.recital_a": (
        "Le Fonds soutient des initiatives dirigées par des Autochtones qui visent à prévenir la "
        "traite des personnes et à soutenir les personnes survivantes, et qui sont conçues, "
        "élaborées et mises en œuvre par des organismes autochtones."
    ),
    "agr.recital_b": (
        "Le bénéficiaire a présenté une demande de financement pour le projet décrit à "
        "l’annexe C (le « Projet »), et le comité d’examen communautaire du Fonds a étudié la "
        "demande."
    ),
    "agr.recital_c": (
        "Le Fonds a approuvé un financement maximal de {approved} pour le Projet, selon les "
        "modalités de la présente Entente."
    ),
    "agr.agree": "Les parties conviennent donc de ce qui suit :",
    "agr.parts_heading": "L’Entente",
    "agr.parts.title": "Composantes de l’Entente",
    "agr.parts.text": (
        "La présente Entente se compose du présent document, signatures comprises, et des "
        "annexes suivantes : annexe A (Modalités générales), annexe B (Renseignements propres "
        "au projet et dispositions supplémentaires), annexe C (Projet), annexe D (Budget), "
        "annexe E (Plan de paiement) et annexe F (Rapports)."
    ),
    "agr.precedence.title": "Ordre de préséance",
    "agr.precedence.text": (
        "En cas de conflit, les dispositions supplémentaires de l’annexe B l’emportent sur "
        "l’annexe A, et l’annexe A l’emporte sur les annexes C à F."
    ),
    "agr.entire.title": "Intégralité de l’entente",
    "agr.entire.text": (
        "La présente Entente constitue l’intégralité de l’entente intervenue entre les parties "
        "relativement au Projet et remplace toute entente antérieure."
    ),
    "agr.effective.title": "Date d’entrée en vigueur",
    "agr.effective.text": (
        "La présente Entente entre en vigueur à la date à laquelle la dernière partie la signe."
    ),
    "agr.signatures": "Signatures",
    "agr.signatures_intro": (
        "Chaque partie signe la présente Entente à la date indiquée avec sa signature."
    ),
    "agr.signature_record": "Relevé de la signature du bénéficiaire",
    "agr.signature_record.signer": "Signée par",
    "agr.signature_record.title": "Titre",
    "agr.signature_record.role": "Rôle",
    "agr.signature_record.role_value": "Signataire autorisé de {organisation}",
    "agr.signature_record.signed_at": "Signée le",
    "agr.signature_record.offer": "Offre signée (SHA-256 de son PDF)",
    "agr.signature_record.offer_unrecorded": "non consigné lors de la signature de l’Entente",
    "agr.signature_record.digital": (
        "Le Fonds signe ce PDF numériquement (PAdES). Un lecteur PDF affiche la signature, et "
        "«\u00a0grantflow documents verify\u00a0» indique si le fichier est intact et qui l’a "
        "signé\u202f; "
        "l’empreinte SHA-256 de l’offre ci-dessus désigne le fichier exact que le bénéficiaire "
        "a signé."
    ),
    "agr.executed_title": "Entente signée",
    "agr.executed_notice": (
        "Le présent document est l’exemplaire signé de l’Entente : signée au nom du bénéficiaire "
        "par {signer} le {signed_on} et contresignée au nom du Fonds par {countersigner} le "
        "{countersigned_on}."
    ),
    # Annexe A
    "agr.a.heading": "Annexe A – Modalités générales",
    "agr.a1.title": "Financement maximal",
    "agr.a1.text": (
        "Le Fonds versera au bénéficiaire un montant maximal de {approved} (le « financement "
        "maximal ») pour le Projet, conformément au budget figurant à l’annexe D et au plan de "
        "paiement figurant à l’annexe E. Le Fonds n’est pas tenu de verser plus que le "
        "financement maximal."
    ),
    "agr.a2.title": "Conditions de paiement",
    "agr.a2.text": (
        "Le Fonds n’effectue aucun paiement avant que la présente Entente soit signée par les "
        "deux parties et que les conditions de l’annexe B soient remplies, y compris la "
        "réception du certificat d’assurance exigé à l’article A8. Aucun paiement ne dépasse le "
        "montant exigible selon le plan de paiement, et les paiements sont suspendus tant qu’un "
        "rapport prévu à l’annexe F est en retard. Le financement de chaque exercice est "
        "subordonné à la disponibilité des crédits du Fonds pour cet exercice."
    ),
    "agr.a3.title": "Utilisation des fonds",
    "agr.a3.text": (
        "Le bénéficiaire utilise les fonds uniquement pour le Projet et conformément au budget. "
        "Il ne peut réaffecter plus de 10 % du budget d’un exercice d’un poste budgétaire à un "
        "autre sans le consentement écrit du Fonds."
    ),
    "agr.a4.title": "Dossiers",
    "agr.a4.text": (
        "Le bénéficiaire tient des dossiers financiers complets et exacts sur le Projet, y "
        "compris les reçus et les factures originaux, et les conserve pendant au moins {years} "
        "ans après la fin de la présente Entente."
    ),
    "agr.a5.title": "Vérification et inspection",
    "agr.a5.text": (
        "Le Fonds, ses vérificateurs et la vérificatrice générale ou le vérificateur général de "
        "l’Ontario peuvent, moyennant un préavis raisonnable et pendant les heures normales "
        "d’ouverture, examiner et vérifier les dossiers financiers du bénéficiaire et les "
        "données agrégées relatives au Projet. L’inspection ne s’étend jamais aux "
        "renseignements personnels concernant les personnes que sert le bénéficiaire."
    ),
    "agr.a6.title": "Accès à l’information",
    "agr.a6.text": (
        "Le bénéficiaire reconnaît que le Fonds est assujetti à la Loi sur l’accès à "
        "l’information et la protection de la vie privée (Ontario) (LAIPVP) et que tout "
        "renseignement fourni au Fonds relativement au Projet ou à la présente Entente peut être "
        "divulgué conformément à cette loi."
    ),
    "agr.a7.title": "Données communautaires",
    "agr.a7.text": (
        "Les données communautaires recueillies dans le cadre du Projet appartiennent à la "
        "communauté. Le Fonds ne reçoit que des données agrégées sur les résultats ; il les "
        "utilise et les conserve selon les modalités de l’entente de gouvernance des données du "
        "bénéficiaire, conformément aux principes PCAP et CARE."
    ),
    "agr.a8.title": "Assurance",
    "agr.a8.text": (
        "Le bénéficiaire souscrit et maintient à ses frais, pendant toute la durée de la "
        "présente Entente, une assurance responsabilité civile générale des entreprises d’au "
        "moins {insurance} par sinistre, et remet au Fonds un certificat d’assurance avant le "
        "premier paiement."
    ),
    "agr.a9.title": "Indemnisation",
    "agr.a9.text": (
        "Le bénéficiaire indemnise et met à couvert le Fonds ainsi que ses administrateurs, "
        "dirigeants, employés et mandataires à l’égard de toute réclamation, perte et dépense "
        "découlant du Projet ou de la présente Entente, sauf dans la mesure où elles sont "
        "causées par la négligence ou l’inconduite délibérée du Fonds."
    ),
    "agr.a10.title": "Résiliation sur préavis",
    "agr.a10.text": (
        "Chaque partie peut résilier la présente Entente en tout temps, sans responsabilité, "
        "pénalité ni frais, en donnant à l’autre partie un préavis écrit d’au moins 30 jours. En "
        "cas de résiliation, le Fonds peut annuler les paiements à venir, et le bénéficiaire "
        "rend compte des fonds déjà versés."
    ),
    "agr.a11.title": "Remboursement des fonds non dépensés",
    "agr.a11.text": (
        "Les fonds non dépensés pour le Projet à la fin de la présente Entente, ainsi que les "
        "fonds utilisés contrairement à celle-ci, constituent une créance du Fonds. Le "
        "bénéficiaire les rembourse dans les 30 jours suivant une demande écrite."
    ),
    "agr.a12.title": "Modifications",
    "agr.a12.text": (
        "La présente Entente ne peut être modifiée que par un accord écrit signé par les deux "
        "parties."
    ),
    "agr.a13.title": "Signatures électroniques",
    "agr.a13.text": (
        "La présente Entente et toute modification peuvent être signées électroniquement ; une "
        "signature électronique a le même effet qu’une signature manuscrite."
    ),
    "agr.a14.title": "Droit applicable",
    "agr.a14.text": (
        "La présente Entente est régie par les lois de l’Ontario et par les lois fédérales du "
        "Canada qui s’y appliquent."
    ),
    # Annexe B
    "agr.b.heading": "Annexe B – Renseignements propres au projet et dispositions supplémentaires",
    "agr.b.info": "Renseignements propres au projet",
    "agr.b.maximum": "Financement maximal",
    "agr.b.insurance": "Assurance responsabilité civile générale minimale",
    "agr.b.holdback": "Retenue",
    "agr.b.retention": "Conservation des dossiers",
    "agr.b.retention_value": "{years} ans",
    "agr.b.additional": "Dispositions supplémentaires",
    "agr.b.additional_intro": (
        "Les dispositions suivantes font partie de la présente Entente et l’emportent sur "
        "l’annexe A en cas de conflit :"
    ),
    "agr.b.no_additional": "Aucune disposition supplémentaire.",
    "agr.b.contacts": "Personnes-ressources",
    "agr.b.contacts_intro": (
        "Les avis prévus par la présente Entente sont adressés aux personnes-ressources ci-dessous."
    ),
    "agr.b.party": "Partie",
    "agr.b.email": "Courriel",
    "agr.b.phone": "Téléphone",
    "agr.b.signing": "Pouvoir de signature",
    # Annexes C à F
    "agr.c.heading": "Annexe C – Projet",
    "agr.c.description": "Description",
    "agr.d.heading": "Annexe D – Budget",
    "agr.d.intro": (
        "Le financement maximal est réparti par exercice de l’Ontario (du 1er avril au 31 mars) "
        "comme suit."
    ),
    "agr.d.approved": "Montant approuvé",
    "agr.e.heading": "Annexe E – Plan de paiement",
    "agr.e.intro": (
        "Sous réserve de l’article A2, le Fonds versera le financement maximal selon les "
        "versements ci-dessous. Le total des versements s’élève à {approved}, soit le "
        "financement maximal. Chaque versement est imputé au budget de l’exercice indiqué "
        "(annexe D), et les versements imputés à un exercice totalisent le montant approuvé "
        "pour cet exercice."
    ),
    "agr.e.initial": (
        "Le premier versement est un paiement initial de {pct} du financement maximal, sans "
        "dépasser le budget du premier exercice, versé une fois la présente Entente signée et "
        "ses conditions remplies. S’il est exigible à la date de début, il comprend aussi le "
        "paiement de la première période de paiement."
    ),
    "agr.e.holdback": (
        "Une retenue de {pct} du financement maximal, sans dépasser le budget du dernier "
        "exercice ({amount}), est imputée à l’exercice {fiscal_year}. Elle est conservée et "
        "n’est versée qu’après l’acceptation du rapport final par le Fonds, et au plus tôt le "
        "{date}."
    ),
    "agr.e.no_holdback": "La présente Entente ne prévoit aucune retenue.",
    "agr.e.holdback_due": "Après l’acceptation du rapport final, au plus tôt le {date}",
    "agr.e.instalment": "Versement",
    "agr.f.heading": "Annexe F – Rapports",
    "agr.f.intro": (
        "Le bénéficiaire soumet les rapports ci-dessous sur la page du dossier dans grantflow au "
        "plus tard à leur date d’échéance."
    ),
    "agr.f.content": (
        "Chaque rapport présente les dépenses de la période par rapport au budget et ne fournit "
        "que des données agrégées : personnes servies (nouvelles et suivi continu), contacts de "
        "service, aiguillages et services fondés sur la culture offerts. Les rapports ne "
        "contiennent jamais de noms ni d’autres renseignements permettant d’identifier les "
        "personnes servies."
    ),
    "agr.f.report": "Rapport",
}
