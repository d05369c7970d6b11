"""Each rule of the fund in plain words, (English, French).

A French page cannot show the engine's own sentence (it is English, with the case's figures),
so it gives the rule's explanation from here; a test keeps one entry per declared guard.
"""

from __future__ import annotations

RULES: dict[str, tuple[str, str]] = {
    "registration_complete": (
        "The organisation's registration must be complete, with two contacts, one of them able to sign.",
        "L'inscription de l'organisme doit être complète, avec deux personnes-ressources, dont une autorisée à signer.",
    ),
    "indigenous_led_attested": (
        "The organisation must attest that it is Indigenous-led.",
        "L'organisme doit attester qu'il est dirigé par des Autochtones.",
    ),
    "community_resolution_on_file": (
        "A Band Council or Board resolution must be on file.",
        "Une résolution du conseil de bande ou du conseil d'administration doit être au dossier.",
    ),
    "data_governance_consent_given": (
        "The data-governance agreement must be accepted.",
        "L'entente de gouvernance des données doit être acceptée.",
    ),
    "requested_within_fund_maximum": (
        "The amount requested must be within the fund's maximum.",
        "Le montant demandé doit respecter le maximum du fonds.",
    ),
    "budget_matches_request": (
        "The budget per fiscal year must add up to the amount requested.",
        "Le budget par exercice doit correspondre au montant demandé.",
    ),
    "project_dates_valid": (
        "The project dates must be valid, the end after the start.",
        "Les dates du projet doivent être valides, la fin après le début.",
    ),
    "before_call_deadline": (
        "The call for applications has closed.",
        "L'appel de demandes est clos.",
    ),
    "within_cure_period": (
        "The time to answer the information request has passed.",
        "Le délai pour répondre à la demande de renseignements est écoulé.",
    ),
    "coordinator_is_officer": (
        "The review coordinator must be a program officer.",
        "Le coordonnateur de l'examen doit être un agent de programme.",
    ),
    "panel_can_reach_quorum": (
        "The review panel must be able to reach quorum, with an Elder and a survivor advisor.",
        "Le comité d'examen doit pouvoir atteindre le quorum, avec un Aîné et une conseillère ou un conseiller survivant.",
    ),
    "reviewer_assigned": (
        "Only members assigned to this application's panel can do this.",
        "Seuls les membres affectés au comité de cette demande peuvent le faire.",
    ),
    "conflict_not_yet_declared": (
        "You have already declared your conflict of interest for this application.",
        "Vous avez déjà déclaré votre conflit d'intérêts pour cette demande.",
    ),
    "conflict_declared": (
        "Declare any conflict of interest before scoring.",
        "Déclarez tout conflit d'intérêts avant de noter.",
    ),
    "reviewer_not_conflicted": (
        "A member with a direct conflict of interest does not score this application.",
        "Un membre en conflit d'intérêts direct ne note pas cette demande.",
    ),
    "not_yet_scored": (
        "You have already scored this application.",
        "Vous avez déjà noté cette demande.",
    ),
    "actor_is_review_coordinator": (
        "Only the review coordinator records the panel's recommendation.",
        "Seul le coordonnateur de l'examen consigne la recommandation du comité.",
    ),
    "quorum_met": (
        "Two thirds of the panel must have scored before a recommendation.",
        "Les deux tiers du comité doivent avoir noté avant une recommandation.",
    ),
    "elder_present": (
        "An Elder must have taken part in the review.",
        "Un Aîné doit avoir participé à l'examen.",
    ),
    "survivor_advisor_present": (
        "A survivor advisor must have taken part in the review.",
        "Une conseillère ou un conseiller survivant doit avoir participé à l'examen.",
    ),
    "recommended_within_request": (
        "The recommended amount cannot exceed the amount requested.",
        "Le montant recommandé ne peut dépasser le montant demandé.",
    ),
    "approver_not_screening_officer": (
        "The person who screened the application cannot decide it.",
        "La personne qui a fait la présélection ne peut pas trancher la demande.",
    ),
    "approver_not_review_coordinator": (
        "The review coordinator cannot approve the grant.",
        "Le coordonnateur de l'examen ne peut pas approuver la subvention.",
    ),
    "approved_within_request": (
        "The approved amount cannot exceed the amount requested.",
        "Le montant approuvé ne peut dépasser le montant demandé.",
    ),
    "within_allocation": (
        "The fund's allocation for a fiscal year is not enough for this grant.",
        "L'allocation du fonds pour un exercice ne suffit pas pour cette subvention.",
    ),
    "cure_period_ended": (
        "The application is closed only once the time to provide the requested information has run out.",
        "La demande n'est close qu'une fois écoulé le délai pour fournir les renseignements demandés.",
    ),
    "instalment_due": (
        "An instalment is paid only from its due date in the payment plan.",
        "Un versement n'est payé qu'à partir de sa date d'échéance prévue au calendrier des versements.",
    ),
    "report_period_ended": (
        "A report is accepted only once the period it covers has ended.",
        "Un rapport n'est accepté qu'une fois terminée la période qu'il couvre.",
    ),
    "report_reminder_due": (
        "Reminders go out in the 30 days before a report's due date.",
        "Les rappels sont envoyés dans les 30 jours précédant la date d'échéance d'un rapport.",
    ),
    "report_past_due": (
        "A report is recorded as overdue only after its due date.",
        "Un rapport n'est consigné en retard qu'après sa date d'échéance.",
    ),
    "offer_deadline_passed": (
        "The offer is still open; it cannot lapse yet.",
        "L'offre est encore ouverte; elle ne peut pas encore expirer.",
    ),
    "offer_not_expired": (
        "The offer has expired and can no longer be signed.",
        "L'offre a expiré et ne peut plus être signée.",
    ),
    "signer_has_signing_authority": (
        "Only a contact with signing authority for the organisation can sign.",
        "Seule une personne-ressource autorisée à signer pour l'organisme peut signer.",
    ),
    "countersigner_is_fund_signing_authority": (
        "Only the Fund’s signing authority can countersign.",
        "Seule la personne autorisée à signer pour le Fonds peut contresigner.",
    ),
    "insurance_meets_minimum": (
        "The liability coverage is below the fund's minimum.",
        "La couverture de responsabilité est inférieure au minimum du fonds.",
    ),
    "agreement_executed": (
        "No payment before the agreement is signed by both parties.",
        "Aucun paiement avant la signature de l'entente par les deux parties.",
    ),
    "insurance_on_file": (
        "No payment before the insurance certificate is on file.",
        "Aucun paiement avant que le certificat d'assurance soit au dossier.",
    ),
    "no_overdue_report": (
        "Payments are paused while a report is overdue.",
        "Les paiements sont suspendus tant qu'un rapport est en retard.",
    ),
    "holdback_after_final_report": (
        "The holdback is paid only after the final report is accepted.",
        "La retenue n'est versée qu'après l'acceptation du rapport final.",
    ),
    "holdback_after_closeout_begins": (
        "The holdback is paid only once close-out has begun.",
        "La retenue n'est versée qu'une fois la clôture commencée.",
    ),
    "within_approved_amount": (
        "Payments cannot exceed the approved amount.",
        "Les paiements ne peuvent dépasser le montant approuvé.",
    ),
    "releaser_not_initiator": (
        "The person who initiated a payment cannot release it.",
        "La personne qui a amorcé un paiement ne peut pas le libérer.",
    ),
    "all_reports_accepted": (
        "Every outcome report must be accepted first.",
        "Tous les rapports sur les résultats doivent d'abord être acceptés.",
    ),
    "regular_instalments_released": (
        "Every regular instalment must be paid first.",
        "Tous les versements réguliers doivent d'abord être payés.",
    ),
    "holdback_settled": (
        "The holdback must be paid or settled first.",
        "La retenue doit d'abord être versée ou réglée.",
    ),
    "amendment_keeps_application_valid": (
        "The changed application must still hold together: the end after the start, the budget inside the project's fiscal years.",
        "La demande modifiée doit rester cohérente\u00a0: la fin après le début, le budget compris dans les exercices du projet.",
    ),
    "no_open_amendment": (
        "An amendment of this agreement is still open.",
        "Une modification de cette entente est encore en cours.",
    ),
    "amendment_fits_agreement": (
        "The amendment must fit the agreement in force: not below what is paid, a later end date within the fund's rules, a change to something.",
        "La modification doit convenir à l'entente en vigueur\u00a0: pas moins que ce qui est payé, une date de fin plus tardive dans les règles du fonds, un changement réel.",
    ),
    "amendment_still_fits": (
        "The amendment no longer fits the agreement in force.",
        "La modification ne convient plus à l'entente en vigueur.",
    ),
    "amendment_within_allocation": (
        "The fund's allocation for a fiscal year is not enough for this increase.",
        "L'allocation du fonds pour un exercice ne suffit pas pour cette augmentation.",
    ),
    "approver_not_amendment_proposer": (
        "The person who proposed the amendment cannot decide it.",
        "La personne qui a proposé la modification ne peut pas la trancher.",
    ),
}
