"""English wording of the documents sent after the agreement: payments, reports, close-out."""

MESSAGES: dict[str, str] = {
    # Remittance advice
    "remit.subject": "Payment released: {project} ({reference})",
    "remit.intro": (
        "The Fund has released the payment below to your organisation under Schedule E of your "
        "agreement."
    ),
    "remit.released_on": "Released on",
    "remit.amount": "Amount of this payment",
    "remit.paid_to_date": "Paid to date",
    "remit.remaining": "Remaining under the agreement",
    "remit.records": (
        "Please keep this advice with the project’s financial records (section A4 of your "
        "agreement)."
    ),
    "remit.check": (
        "If you did not expect this payment or the amount appears wrong, please contact your "
        "program officer."
    ),
    # Report receipt
    "receipt.subject": "Report received: {project} ({reference})",
    "receipt.intro": "Thank you. We received the report below on {received}.",
    "receipt.report": "Report",
    "receipt.received": "Received",
    "receipt.expenditure": "Expenditure reported",
    "receipt.not_reported": "Not reported",
    "receipt.counts": "Aggregate counts submitted",
    "receipt.measure": "Measure",
    "receipt.count": "Count",
    "receipt.count_not_reported": "not reported",
    "receipt.no_counts": "No aggregate counts were submitted with this report.",
    "receipt.next": (
        "Your program officer will review the report, and grantflow will tell you by email "
        "whether it is accepted or needs changes."
    ),
    "measure.people_served_new": "People served (new)",
    "measure.people_served_continuing": "People served (continuing)",
    "measure.service_contacts": "Service contacts",
    "measure.referrals": "Referrals",
    "measure.culturally_based_services": "Culturally based services delivered",
    # Report reminder (before the due date)
    "reminder.subject": "{report}: {project} ({reference})",
    "reminder.due_today": "This is a reminder that the report below is due today, {due}.",
    "reminder.due_tomorrow": "This is a reminder that the report below is due tomorrow, {due}.",
    "reminder.due_in": (
        "This is a reminder that the report below is due on {due}, in {days} days."
    ),
    "reminder.how": (
        "Submit the report on the grant’s page in grantflow. Reports contain aggregate counts "
        "only: never include names or other information about the people you serve."
    ),
    "reminder.help": ("If you need help or more time, please contact your program officer."),
    # Overdue report notice (its how-to and help lines are the reminder's)
    "overdue.subject": "{report} overdue: {project} ({reference})",
    "overdue.late_one": "The report below was due on {due} and is now 1 day overdue.",
    "overdue.late": "The report below was due on {due} and is now {days} days overdue.",
    "overdue.days": "Days overdue",
    "overdue.hold_title": "Payments on hold",
    "overdue.rule": (
        "Under section A2 of your agreement, payments are paused while a report is overdue."
    ),
    "overdue.held_one": "Instalment {numbers} has therefore been put on hold.",
    "overdue.held_many": "Instalments {numbers} have therefore been put on hold.",
    "overdue.held_none": "No scheduled payment has been affected.",
    "overdue.and": "{first} and {last}",
    "overdue.held_caption": "Instalments on hold",
    "overdue.resume": (
        "The instalments on hold resume once the report has been submitted and accepted by your "
        "program officer; submitting it is not enough on its own. grantflow resumes them "
        "when the report is accepted, unless another report is overdue by then."
    ),
    # Notice of lapsed offer
    "lapse.subject": "Offer lapsed: {project} ({reference})",
    "lapse.offer_on": (
        "On {decided}, the Fund offered your organisation funding of up to {approved} for the "
        "project below."
    ),
    "lapse.offer": (
        "The Fund offered your organisation funding of up to {approved} for the project below."
    ),
    "lapse.not_signed": (
        "The offer had to be accepted by signing the transfer payment agreement by {expires}. "
        "The agreement was not signed by that date, so the offer has lapsed and can no longer "
        "be signed."
    ),
    "lapse.decided": "Offer made",
    "lapse.deadline": "Signature deadline",
    "lapse.released": "Returned to the Fund’s allocation",
    "lapse.funds": (
        "The approved funds ({released}) return to the Fund’s allocation, where they can support "
        "other applicants."
    ),
    "lapse.future": "Your organisation may apply to a future call for applications.",
    # Reconciliation letter
    "recon.subject": "Financial reconciliation: {project} ({reference})",
    "recon.intro": (
        "We have reconciled the payments made under your agreement with the expenditure you "
        "reported. The results are below."
    ),
    "recon.item": "Item",
    "recon.approved": "Maximum Funds approved",
    "recon.paid": "Instalments paid to your organisation (before the holdback)",
    "recon.expenditure": "Expenditure reported",
    "recon.unspent": "Unspent funds",
    "recon.holdback_planned": "Holdback planned",
    "recon.holdback_payable": "Holdback payable",
    "recon.holdback_withheld": "Holdback withheld",
    "recon.repayment_due": "Repayment due",
    "recon.repayment_heading": "Notice of repayment",
    "recon.repayment": (
        "Under section A11 of your agreement, unspent funds must be repaid. The amount of "
        "{amount} is due to the Fund by {date}."
    ),
    "recon.repayment_no_date": (
        "Under section A11 of your agreement, unspent funds must be repaid. The amount of "
        "{amount} is due to the Fund within 30 days of the date of this letter."
    ),
    "recon.repayment_how": (
        "Please pay by electronic funds transfer or by cheque payable to “{fund}”, quoting "
        "reference {reference}. If repayment in full would cause hardship, contact your program "
        "officer to discuss a repayment schedule."
    ),
    "recon.no_repayment": "No repayment is due.",
    "recon.holdback_heading": "The holdback",
    "recon.holdback_rule": (
        "The holdback pays the expenditure you reported beyond the instalments already paid, up "
        "to the holdback planned in Schedule E. Whatever of it is not needed for that is "
        "withheld and is not paid."
    ),
    "recon.holdback_none": "Your agreement provided for no holdback.",
    "recon.holdback_released": (
        "Of the holdback of {planned}, {released} has been released to your organisation."
    ),
    "recon.holdback_payable_full": (
        "The holdback of {amount} is payable in full and will be released to your organisation "
        "shortly."
    ),
    "recon.holdback_payable_part": (
        "Your reported expenditure exceeds the instalments paid by {payable}, so {payable} of "
        "the holdback of {planned} is payable and will be released to your organisation shortly."
    ),
    "recon.holdback_withheld_all": (
        "The instalments already paid to your organisation cover all of the expenditure you "
        "reported, so none of the holdback of {amount} is payable: it is withheld in full and "
        "will not be paid."
    ),
    "recon.holdback_withheld_terminated": (
        "The agreement has been terminated, so the holdback of {amount} will not be paid: it is "
        "withheld in full."
    ),
    "recon.holdback_withheld_rest": (
        "The remaining {amount} of the holdback is withheld and will not be paid."
    ),
    # Holdback release letter
    "holdback.subject": "Release of holdback: {project} ({reference})",
    "holdback.subject_withheld": "Holdback withheld: {project} ({reference})",
    "holdback.title_withheld": "Holdback Withheld",
    "holdback.intro": (
        "Your final report has been accepted. The Fund released the holdback of {amount} to "
        "your organisation on {date}."
    ),
    "holdback.intro_part": (
        "Your final report has been accepted. Of the holdback of {planned}, the close-out "
        "reconciliation left {payable} payable; the Fund released {payable} to your "
        "organisation on {date}. The remaining {withheld} is withheld and will not be paid."
    ),
    "holdback.intro_withheld": (
        "Your final report has been accepted. No holdback is released: the instalments already "
        "paid to your organisation cover all of the expenditure you reported, so the holdback "
        "of {amount} is withheld in full and will not be paid."
    ),
    "holdback.intro_none": (
        "Your final report has been accepted. Your agreement provided for no holdback, so no "
        "holdback payment is made."
    ),
    "holdback.paid_before": "Instalments paid before the holdback",
    "holdback.released": "Holdback released",
    "holdback.paid_total": "Total paid under the agreement",
    "holdback.unpaid": "Approved funds not paid",
    "holdback.repayment": (
        "As set out in the reconciliation letter, a repayment of {amount} remains due to the "
        "Fund by {date}."
    ),
    "holdback.repayment_no_date": (
        "As set out in the reconciliation letter, a repayment of {amount} remains due to the Fund."
    ),
    "holdback.next": "The grant is now closed: its close-out certificate comes with this letter.",
    "holdback.thanks": "Thank you for your work and for your partnership.",
    # Close-out certificate
    "closeout.certifies": "This certifies that the grant described below was closed on {date}.",
    "closeout.closed_on": "Closed on",
    "closeout.total_paid": "Total paid",
    "closeout.reports_accepted": "Reports accepted",
    "closeout.records": (
        "The Recipient keeps the project’s financial records for {years} years after the "
        "agreement ends (section A4 of the agreement)."
    ),
    "closeout.data_title": "The community’s review content",
    "closeout.data_return_and_delete": (
        "As the organisation’s data-governance agreement (version {version}) provides, the "
        "community review’s content for this grant was returned to the organisation and then "
        "deleted from the Fund’s records on {date}."
    ),
    "closeout.data_destroy": (
        "As the organisation’s data-governance agreement (version {version}) provides, the "
        "community review’s content for this grant was deleted from the Fund’s records on "
        "{date}, without a copy."
    ),
    "closeout.data_keep": (
        "As the organisation’s data-governance agreement (version {version}) provides, the Fund "
        "keeps the community review’s content for this grant with its records."
    ),
    "closeout.returned": "Returned",
    "closeout.deleted": "Deleted",
    "closeout.kept": "Kept",
    "closeout.item.review_rationale": "the panel’s rationale",
    "closeout.item.deliberation_notes": "the sealed deliberation notes",
    "closeout.item.conflict_notes": "conflict-of-interest notes ({count})",
    "closeout.item.documents": "documents that printed them ({count})",
    "closeout.kept_list": (
        "amounts, dates and payments; the budget; aggregate outcome reports; contacts; "
        "scores; the agreement and its schedules, the project description included; the "
        "financial documents; the audit trail, which records this close-out"
    ),
    "closeout.thanks": "The Fund thanks {organisation} for its work in the community.",
    "closeout.signed_for": "For the Fund",
}
