"""English wording of the panel's and staff's documents."""

MESSAGES: dict[str, str] = {
    # Review summary
    "review.marking": "CONFIDENTIAL: panel members and Fund staff only",
    "review.confidential_title": "Confidential",
    "review.confidential": (
        "This summary is confidential to the community review panel and the Fund’s staff. It "
        "reports the panel’s process and consensus only: no individual scores and no member "
        "names. Deliberation notes belong to the community and are not reproduced here."
    ),
    "review.composition": "Panel composition and quorum",
    "review.panel_size": "Panel members",
    "review.members_scoring": "Members who scored",
    "review.quorum_required": "Quorum required",
    "review.quorum_met": "Quorum met",
    "review.elder": "Elder present",
    "review.survivor": "Survivor advisor present",
    "review.conflicts": "Conflicts of interest declared",
    "review.recused": "Members recused",
    "review.scores": "Mean score by criterion",
    "review.criterion": "Criterion",
    "review.mean": "Mean score (1 to 5)",
    "review.overall": "Mean of all criteria",
    "review.consensus": "Consensus and recommendation",
    "review.rating": "Consensus rating",
    "review.rating_value": "{rating} out of 5",
    "review.recommendation": "Recommendation",
    "review.recommended": "Recommended for funding",
    "review.not_recommended": "Not recommended",
    "review.pending": "No recommendation yet",
    "review.recommended_amount": "Recommended amount",
    "review.rationale": "Rationale",
    "criterion.indigenous_governance": "Indigenous-led governance and community support",
    "criterion.survivor_centred": "Survivor-centred, trauma-informed design",
    "criterion.cultural_grounding": "Cultural grounding and protocols",
    "criterion.need_and_reach": "Need and reach (remote, fly-in, Northern)",
    "criterion.partnerships": "Partnerships",
    "criterion.feasibility_budget": "Feasibility and budget",
    "criterion.evaluation_ocap": "Evaluation plan respecting OCAP and CARE",
    # Approval memo
    "memo.marking": "INTERNAL: staff only",
    "memo.to": "To",
    "memo.to_value": "Grant file {reference}",
    "memo.from": "From",
    "memo.subject": "Subject",
    "memo.subject_value": "Approval of funding for {organisation}",
    "memo.decision": "Decision",
    "memo.decision_text": (
        "Funding of {approved} is approved for this project, against {requested} requested "
        "({share} of the request)."
    ),
    "memo.budget": "Approved budget by fiscal year",
    "memo.duties": "Segregation of duties",
    "memo.screening": "Screening officer",
    "memo.coordinator": "Review coordinator",
    "memo.approver": "Approver",
    "memo.duties_met": (
        "The approver is neither the screening officer nor the review coordinator for this "
        "application."
    ),
    "memo.duties_breach_title": "Segregation of duties not met",
    "memo.duties_breach": (
        "The approver also acted as screening officer or review coordinator for this "
        "application. This approval must be reviewed before any agreement is signed."
    ),
    "memo.risk": "Risk and payment terms",
    "memo.risk_rating": "Risk rating",
    "memo.initial": "Initial payment",
    "memo.holdback": "Holdback until the final report is accepted",
    "memo.share_of_approved": "{share} of the approved amount",
    "memo.instalments": "Instalments scheduled",
    "memo.risk_note": (
        "Oversight is proportional to risk: the risk rating sets how often instalments are paid."
    ),
    "memo.conditions": "Conditions",
    "memo.no_conditions": (
        "This approval has no conditions beyond the general terms of the agreement."
    ),
    "memo.approved_by": "Approved by",
    # Payment authorization
    "pay.marking": "INTERNAL: finance",
    "pay.intro": (
        "Payment of the instalment below is authorized under Schedule E of the agreement."
    ),
    "pay.payee": "Payee",
    "pay.instalment": "Instalment",
    "pay.instalment_value": "{sequence} of {count}",
    "pay.kind": "Type",
    "pay.amounts": "Amounts",
    "pay.paid_before": "Paid before this instalment",
    "pay.this": "This instalment",
    "pay.paid_after": "Paid to date, including this instalment",
    "pay.remaining": "Remaining after this instalment",
    "pay.duties": "Authorization",
    "pay.initiated_by": "Initiated by (program officer)",
    "pay.released_by": "Released by (finance)",
    "pay.awaiting": "Awaiting release",
    "pay.duties_met": "The person who releases a payment is not the person who initiated it.",
    "pay.duties_breach_title": "Segregation of duties not met",
    "pay.duties_breach": (
        "The same person initiated and released this payment. Do not process it."
    ),
}
