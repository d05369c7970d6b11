"""English wording of the transfer payment agreement and its schedules A to F."""

MESSAGES: dict[str, str] = {
    "agr.fund_label": "The Fund",
    "agr.recipient_label": "The Recipient",
    "agr.fund_party": "the “Fund”",
    "agr.recipient_party": "the “Recipient”",
    "agr.opening": (
        "This transfer payment agreement (the “Agreement”) is made between {fund} (the “Fund”) "
        "and {organisation} (the “Recipient”)."
    ),
    "agr.background": "Background",
    "agr.recital_a": (
        "The Fund supports Indigenous-led initiatives that prevent human trafficking and support "
        "survivors, designed, developed and delivered by Indigenous organisations."
    ),
    "agr.recital_b": (
        "The Recipient applied for funding for the project described in Schedule C (the "
        "“Project”), and the Fund’s community review panel considered the application."
    ),
    "agr.recital_c": (
        "The Fund has approved funding of up to {approved} for the Project on the terms of this "
        "Agreement."
    ),
    "agr.agree": "The Parties therefore agree as follows:",
    "agr.parts_heading": "The Agreement",
    "agr.parts.title": "Parts of the Agreement",
    "agr.parts.text": (
        "This Agreement consists of this signature part and the following schedules: Schedule A "
        "(General Terms and Conditions), Schedule B (Project-Specific Information and Additional "
        "Provisions), Schedule C (Project), Schedule D (Budget), Schedule E (Payment Plan) and "
        "Schedule F (Reports)."
    ),
    "agr.precedence.title": "Order of precedence",
    "agr.precedence.text": (
        "If there is a conflict, the additional provisions in Schedule B prevail over Schedule A, "
        "and Schedule A prevails over Schedules C to F."
    ),
    "agr.entire.title": "Entire agreement",
    "agr.entire.text": (
        "This Agreement is the entire agreement between the Parties about the Project and "
        "replaces any earlier understanding."
    ),
    "agr.effective.title": "Effective date",
    "agr.effective.text": (
        "This Agreement takes effect on the date on which the last Party signs it."
    ),
    "agr.signatures": "Signatures",
    "agr.signatures_intro": "Each Party signs this Agreement on the date shown with its signature.",
    "agr.signature_record": "Record of the Recipient’s signature",
    "agr.signature_record.signer": "Signed by",
    "agr.signature_record.title": "Title",
    "agr.signature_record.role": "Role",
    "agr.signature_record.role_value": "Signing authority of {organisation}",
    "agr.signature_record.signed_at": "Signed at",
    "agr.signature_record.offer": "Offer signed (SHA-256 of its PDF)",
    "agr.signature_record.offer_unrecorded": "not recorded when this agreement was signed",
    "agr.signature_record.digital": (
        "The Fund signs this PDF digitally (PAdES). A PDF reader lists the signature, and "
        "“grantflow documents verify” says whether the file is intact and who signed it; the "
        "offer’s SHA-256 above identifies the exact file the Recipient signed."
    ),
    "agr.executed_title": "Executed agreement",
    "agr.executed_notice": (
        "This is the executed copy of the Agreement: signed for the Recipient by {signer} on "
        "{signed_on} and countersigned for the Fund by {countersigner} on {countersigned_on}."
    ),
    # Schedule A
    "agr.a.heading": "Schedule A – General Terms and Conditions",
    "agr.a1.title": "Maximum Funds",
    "agr.a1.text": (
        "The Fund will provide the Recipient with up to {approved} (the “Maximum Funds”) for the "
        "Project, in accordance with the Budget in Schedule D and the Payment Plan in Schedule E. "
        "The Fund is not obliged to pay more than the Maximum Funds."
    ),
    "agr.a2.title": "Conditions of payment",
    "agr.a2.text": (
        "The Fund will make no payment before this Agreement is signed by both Parties and the "
        "conditions in Schedule B are met, including receipt of the certificate of insurance "
        "required by section A8. No payment will exceed the amount due under the Payment Plan, "
        "and payments are paused while any report under Schedule F is overdue. Funding in each "
        "fiscal year is subject to the availability of funds to the Fund for that year."
    ),
    "agr.a3.title": "Use of funds",
    "agr.a3.text": (
        "The Recipient will use the funds only for the Project and in accordance with the "
        "Budget. The Recipient will not move more than 10 per cent of a fiscal year’s budget "
        "between budget lines without the Fund’s written consent."
    ),
    "agr.a4.title": "Records",
    "agr.a4.text": (
        "The Recipient will keep complete and accurate financial records of the Project, "
        "including original receipts and invoices, for at least {years} years after this "
        "Agreement ends."
    ),
    "agr.a5.title": "Audit and inspection",
    "agr.a5.text": (
        "The Fund, its auditors and the Auditor General of Ontario may, on reasonable notice and "
        "during normal business hours, inspect and audit the Recipient’s financial records and "
        "aggregate data about the Project. Inspection never extends to personal information "
        "about the people the Recipient serves."
    ),
    "agr.a6.title": "Freedom of information",
    "agr.a6.text": (
        "The Recipient acknowledges that the Fund is bound by the Freedom of Information and "
        "Protection of Privacy Act (Ontario) (FIPPA) and that any information provided to the "
        "Fund in connection with the Project or this Agreement may be disclosed in accordance "
        "with FIPPA."
    ),
    "agr.a7.title": "Community data",
    "agr.a7.text": (
        "Community data gathered for the Project belongs to the community. The Fund receives "
        "aggregate outcome data only, and uses and keeps it as set out in the Recipient’s "
        "data-governance agreement, consistent with the principles of OCAP and CARE."
    ),
    "agr.a8.title": "Insurance",
    "agr.a8.text": (
        "The Recipient will maintain, at its own expense, commercial general liability insurance "
        "of at least {insurance} per occurrence for the term of this Agreement, and will give "
        "the Fund a certificate of insurance before the first payment."
    ),
    "agr.a9.title": "Indemnity",
    "agr.a9.text": (
        "The Recipient will indemnify and hold harmless the Fund and its directors, officers, "
        "employees and agents from all claims, losses and costs arising from the Project or this "
        "Agreement, except to the extent they are caused by the negligence or wilful misconduct "
        "of the Fund."
    ),
    "agr.a10.title": "Termination on notice",
    "agr.a10.text": (
        "Either Party may terminate this Agreement at any time, without liability, penalty or "
        "costs, by giving the other Party at least 30 days’ written notice. On termination, the "
        "Fund may cancel further payments, and the Recipient will account for the funds already "
        "paid."
    ),
    "agr.a11.title": "Repayment of unspent funds",
    "agr.a11.text": (
        "Funds not spent on the Project by the end of this Agreement, and any funds used "
        "contrary to it, are a debt due to the Fund. The Recipient will repay them within 30 "
        "days of a written demand."
    ),
    "agr.a12.title": "Amendments",
    "agr.a12.text": (
        "This Agreement may be amended only by a written agreement signed by both Parties."
    ),
    "agr.a13.title": "Electronic signatures",
    "agr.a13.text": (
        "This Agreement and any amendment may be signed electronically, and an electronic "
        "signature has the same effect as a handwritten one."
    ),
    "agr.a14.title": "Governing law",
    "agr.a14.text": (
        "This Agreement is governed by the laws of Ontario and the federal laws of Canada that "
        "apply in Ontario."
    ),
    # Schedule B
    "agr.b.heading": "Schedule B – Project-Specific Information and Additional Provisions",
    "agr.b.info": "Project-specific information",
    "agr.b.maximum": "Maximum Funds",
    "agr.b.insurance": "Minimum commercial general liability insurance",
    "agr.b.holdback": "Holdback",
    "agr.b.retention": "Records retention",
    "agr.b.retention_value": "{years} years",
    "agr.b.additional": "Additional provisions",
    "agr.b.additional_intro": (
        "The following provisions form part of this Agreement and prevail over Schedule A where "
        "they conflict with it:"
    ),
    "agr.b.no_additional": "There are no additional provisions.",
    "agr.b.contacts": "Contacts",
    "agr.b.contacts_intro": "Notices under this Agreement go to the contacts below.",
    "agr.b.party": "Party",
    "agr.b.email": "Email",
    "agr.b.phone": "Phone",
    "agr.b.signing": "Signing authority",
    # Schedules C to F
    "agr.c.heading": "Schedule C – Project",
    "agr.c.description": "Description",
    "agr.d.heading": "Schedule D – Budget",
    "agr.d.intro": (
        "The Maximum Funds are allocated by Ontario fiscal year (April 1 to March 31) as follows."
    ),
    "agr.d.approved": "Approved amount",
    "agr.e.heading": "Schedule E – Payment Plan",
    "agr.e.intro": (
        "Subject to section A2, the Fund will pay the Maximum Funds in the instalments below. "
        "The instalments total {approved}, the Maximum Funds. Each instalment is charged to the "
        "budget of the fiscal year shown (Schedule D), and the instalments charged to a fiscal "
        "year total that year’s approved amount."
    ),
    "agr.e.initial": (
        "The first instalment is an initial payment of {pct} of the Maximum Funds, at most the "
        "budget of the first fiscal year, paid once this Agreement is signed and its conditions "
        "are met. When it falls due on the start date, it also includes the payment for the "
        "first payment period."
    ),
    "agr.e.holdback": (
        "A holdback of {pct} of the Maximum Funds, at most the budget of the last fiscal year "
        "({amount}), is charged to fiscal year {fiscal_year}. It is withheld and released only "
        "after the Fund accepts the final report, and not before {date}."
    ),
    "agr.e.no_holdback": "This Agreement provides for no holdback.",
    "agr.e.holdback_due": "After the final report is accepted, not before {date}",
    "agr.e.instalment": "Instalment",
    "agr.f.heading": "Schedule F – Reports",
    "agr.f.intro": (
        "The Recipient will submit the reports below on the grant’s page in grantflow by their "
        "due dates."
    ),
    "agr.f.content": (
        "Each report states the expenditure for the period against the Budget and gives "
        "aggregate counts only: people served (new and continuing), service contacts, referrals "
        "and culturally based services delivered. Reports never contain names or other "
        "information that could identify the people served."
    ),
    "agr.f.report": "Report",
}
