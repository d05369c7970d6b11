"""Textes français des documents destinés au comité et au personnel."""

MESSAGES: dict[str, str] = {
    # Sommaire de l'examen
    "review.marking": "CONFIDENTIEL : membres du comité et personnel du Fonds seulement",
    "review.confidential_title": "Confidentiel",
    "review.confidential": (
        "Le présent sommaire est confidentiel et réservé aux membres du comité d’examen "
        "communautaire et au personnel du Fonds. Il ne rend compte que du processus "
        "et du consensus du comité : il ne contient ni note individuelle ni nom de membre. Les "
        "notes de délibération appartiennent à la communauté et ne sont pas reproduites ici."
    ),
    "review.composition": "Composition du comité et quorum",
    "review.panel_size": "Membres du comité",
    "review.members_scoring": "Membres ayant attribué une note",
    "review.quorum_required": "Quorum requis",
    "review.quorum_met": "Quorum atteint",
    "review.elder": "Présence d’une ou d’un Aîné",
    "review.survivor": "Présence d’une personne conseillère survivante",
    "review.conflicts": "Conflits d’intérêts déclarés",
    "review.recused": "Membres récusés",
    "review.scores": "Note moyenne par critère",
    "review.criterion": "Critère",
    "review.mean": "Note moyenne (1 à 5)",
    "review.overall": "Moyenne de tous les critères",
    "review.consensus": "Consensus et recommandation",
    "review.rating": "Cote établie par consensus",
    "review.rating_value": "{rating} sur 5",
    "review.recommendation": "Recommandation",
    "review.recommended": "Financement recommandé",
    "review.not_recommended": "Financement non recommandé",
    "review.pending": "Aucune recommandation pour l’instant",
    "review.recommended_amount": "Montant recommandé",
    "review.rationale": "Justification",
    "criterion.indigenous_governance": "Gouvernance autochtone et appui de la communauté",
    "criterion.survivor_centred": (
        "Approche centrée sur les personnes survivantes et tenant compte des traumatismes"
    ),
    "criterion.cultural_grounding": "Ancrage culturel et respect des protocoles",
    "criterion.need_and_reach": (
        "Besoins et portée (régions éloignées, accessibles par avion seulement, Nord)"
    ),
    "criterion.partnerships": "Partenariats",
    "criterion.feasibility_budget": "Faisabilité et budget",
    "criterion.evaluation_ocap": "Plan d’évaluation respectant les principes PCAP et CARE",
    # Note d'approbation
    "memo.marking": "INTERNE : personnel seulement",
    "memo.to": "Destinataire",
    "memo.to_value": "Dossier de subvention {reference}",
    "memo.from": "De",
    "memo.subject": "Objet",
    "memo.subject_value": "Approbation du financement de {organisation}",
    "memo.decision": "Décision",
    "memo.decision_text": (
        "Un financement de {approved} est approuvé pour ce projet, par rapport à un montant "
        "demandé de {requested} ({share} de la demande)."
    ),
    "memo.budget": "Budget approuvé par exercice",
    "memo.duties": "Séparation des tâches",
    "memo.screening": "Responsable de la vérification de l’admissibilité",
    "memo.coordinator": "Responsable de la coordination de l’examen",
    "memo.approver": "Responsable de l’approbation",
    "memo.duties_met": (
        "La personne qui approuve n’est ni celle qui a vérifié l’admissibilité ni celle qui a "
        "coordonné l’examen de cette demande."
    ),
    "memo.duties_breach_title": "Séparation des tâches non respectée",
    "memo.duties_breach": (
        "La personne qui approuve a aussi vérifié l’admissibilité ou coordonné l’examen de cette "
        "demande. Cette approbation doit être revue avant la signature de toute entente."
    ),
    "memo.risk": "Risque et modalités de paiement",
    "memo.risk_rating": "Cote de risque",
    "memo.initial": "Paiement initial",
    "memo.holdback": "Retenue jusqu’à l’acceptation du rapport final",
    "memo.share_of_approved": "{share} du montant approuvé",
    "memo.instalments": "Versements prévus",
    "memo.risk_note": (
        "La surveillance est proportionnelle au risque : la cote de risque détermine la "
        "fréquence des versements."
    ),
    "memo.conditions": "Conditions",
    "memo.no_conditions": (
        "Cette approbation n’est assortie d’aucune condition autre que les modalités générales "
        "de l’entente."
    ),
    "memo.approved_by": "Approuvé par",
    # Autorisation de paiement
    "pay.marking": "INTERNE : finances",
    "pay.intro": (
        "Le paiement du versement ci-dessous est autorisé en vertu de l’annexe E de l’entente."
    ),
    "pay.payee": "Bénéficiaire",
    "pay.instalment": "Versement",
    "pay.instalment_value": "{sequence} sur {count}",
    "pay.kind": "Type",
    "pay.amounts": "Montants",
    "pay.paid_before": "Montant versé avant ce versement",
    "pay.this": "Ce versement",
    "pay.paid_after": "Total versé, y compris ce versement",
    "pay.remaining": "Solde après ce versement",
    "pay.duties": "Autorisation",
    "pay.initiated_by": "Demandé par (agente ou agent de programme)",
    "pay.released_by": "Débloqué par (finances)",
    "pay.awaiting": "En attente de déblocage",
    "pay.duties_met": "La personne qui débloque un paiement n’est pas celle qui l’a demandé.",
    "pay.duties_breach_title": "Séparation des tâches non respectée",
    "pay.duties_breach": "La même personne a demandé et débloqué ce paiement. Ne pas le traiter.",
}
