"""English wording of the amending agreement and the executed amendment."""

MESSAGES: dict[str, str] = {
    "title.amending_agreement": "Amending Agreement",
    "title.executed_amendment": "Amending Agreement (Executed)",
    "amd.number": "No. {number}",
    "amd.opening": (
        "This amending agreement No. {number} amends the transfer payment agreement {reference} "
        "between {fund} (the “Fund”) and {organisation} (the “Recipient”) (the “Agreement”)."
    ),
    "amd.in_force": (
        "The agreement in force is the Agreement as first signed together with each amending "
        "agreement signed by both Parties, in the order of their numbers. The Agreement as "
        "first signed is not reissued."
    ),
    "amd.changes": "Changes",
    "amd.term": "Term",
    "amd.before": "Before",
    "amd.after": "After",
    "amd.reasons": "Reasons for the changes",
    "amd.term.approved_cents": "Maximum funds",
    "amd.term.end_date": "Project end date",
    "amd.term.annual_report_days": "Annual report due after the fiscal year’s end",
    "amd.term.final_report_days": "Final report due after the project’s end",
    "amd.days": "{days} days",
    "amd.unchanged": "Every other term of the Agreement stays as it is.",
    "amd.e.heading": "Schedule E as amended: payment plan",
    "amd.e.intro": (
        "Instalments paid or in payment stay as they are. The instalments not yet paid are "
        "planned again so that all the instalments add up to the maximum funds of {approved}."
    ),
    "amd.e.offer": (
        "This plan is as of the date of this offer. At the Fund’s countersignature the "
        "instalments not yet paid are planned again from the payments made by then, to the same "
        "total; the executed amendment states the plan in force."
    ),
    "amd.e.executed": "This is the payment plan in force from the Fund’s countersignature.",
    "amd.f.heading": "Schedule F as amended: reports",
    "amd.f.intro": (
        "Reports already submitted or accepted stay as they are; the reports still to come "
        "follow the amended end date and reporting schedule."
    ),
    "amd.status": "Status",
    "amd.status.released": "Paid",
    "amd.status.initiated": "In payment",
    "amd.status.scheduled": "Scheduled",
    "amd.status.held": "Held",
    "amd.status.due": "To come",
    "amd.status.submitted": "Submitted",
    "amd.status.returned": "Changes requested",
    "amd.status.accepted": "Accepted",
    "amd.signatures_intro": (
        "Each Party signs this amending agreement on the date shown with its signature. It "
        "comes into force when both Parties have signed it."
    ),
    "amd.executed_title": "Executed amendment",
    "amd.executed_notice": (
        "This is the executed copy of amending agreement No. {number}: signed for the Recipient "
        "by {signer} on {signed_on} and countersigned for the Fund by {countersigner} on "
        "{countersigned_on}, when it came into force."
    ),
}
