"""English wording shared by every kind, and the letters' wording."""

MESSAGES: dict[str, str] = {
    # Kind titles
    "title.acknowledgement_of_receipt": "Acknowledgement of Receipt",
    "title.deficiency_notice": "Notice of Incomplete Application",
    "title.review_summary": "Community Review Summary",
    "title.approval_memo": "Approval Memo",
    "title.decision_letter": "Offer of Funding",
    "title.decline_letter": "Funding Decision",
    "title.grant_agreement": "Transfer Payment Agreement",
    "title.executed_agreement": "Transfer Payment Agreement (Executed)",
    "title.payment_authorization": "Payment Authorization",
    "title.remittance_advice": "Remittance Advice",
    "title.report_receipt": "Report Receipt",
    "title.report_reminder": "Report Reminder",
    "title.overdue_notice": "Overdue Report Notice",
    "title.lapse_notice": "Notice of Lapsed Offer",
    "title.reconciliation_letter": "Financial Reconciliation",
    "title.holdback_release_letter": "Holdback Release",
    "title.closeout_certificate": "Close-out Certificate",
    # Renderer labels
    "label.page_of": "Page {page} of {pages}",
    "label.signature": "Signature",
    "label.name": "Name",
    "label.title": "Title",
    "label.date": "Date",
    "label.signed_electronically": "Signed electronically",
    "label.between": "Between",
    "label.and": "And",
    # Common
    "common.issued": "Issued: {date}",
    "common.reference": "Reference",
    "common.organisation": "Organisation",
    "common.legal_name": "Legal name",
    "common.operating_name": "Operating name",
    "common.business_number": "CRA business number",
    "common.address": "Address",
    "common.project_title": "Project title",
    "common.community": "Community",
    "common.project_period": "Project period",
    "common.start_date": "Start date",
    "common.end_date": "End date",
    "common.requested": "Amount requested",
    "common.approved": "Amount approved",
    "common.submitted": "Submitted",
    "common.attention": "Attention: {name}, {title}",
    "common.operating_as": "Operating as {name}",
    "common.re": "Re: {subject}",
    "common.dear": "Dear {name},",
    "common.dear_generic": "Dear Sir or Madam,",
    "common.sincerely": "Sincerely,",
    "common.yes": "Yes",
    "common.no": "No",
    "common.not_recorded": "Not recorded",
    "common.total": "Total",
    "common.amount": "Amount",
    "common.due_date": "Due date",
    "common.period": "Period",
    "common.fiscal_year": "Fiscal year",
    "common.number": "No.",
    "common.contact_us": (
        "If you have any questions, please contact your program officer and quote reference "
        "{reference}."
    ),
    "risk.low": "Low",
    "risk.medium": "Medium",
    "risk.high": "High",
    "instalment.initial": "Initial payment",
    "instalment.periodic": "Periodic payment",
    "instalment.holdback": "Holdback",
    "report.annual": "Annual report",
    "report.final": "Final report",
    "privacy.title": "Notice of collection of personal information",
    "privacy.text": (
        "The personal information in your application is collected to assess the application "
        "and, if it is funded, to administer the grant and report on the program. It is handled "
        "in accordance with the Freedom of Information and Protection of Privacy Act (Ontario) "
        "(FIPPA), and information you give the Fund may be disclosed as FIPPA requires. "
        "Community data remains governed by your data-governance agreement. Questions about "
        "this collection may be directed to your program officer."
    ),
    # Acknowledgement of receipt
    "ack.subject": "Application {reference}: {project}",
    "ack.body": (
        "Thank you for your application. This letter confirms that the Fund received the "
        "application from {organisation} on {submitted}."
    ),
    "ack.next": "Next steps",
    "ack.step1": (
        "A program officer screens the application for eligibility: complete registration, the "
        "Indigenous-led attestation, the community resolution and the data-governance consent."
    ),
    "ack.step2": (
        "If anything is missing, we will send you a notice listing what is needed and the date "
        "by which to provide it."
    ),
    "ack.step3": (
        "Eligible applications go to the community review panel, an Indigenous panel that "
        "includes an Elder and a survivor advisor with lived experience."
    ),
    "ack.step4": "You will receive a written decision. The review takes about eight to ten weeks.",
    "ack.standard": (
        "Our service standard is to acknowledge every application within two business days of "
        "receipt."
    ),
    "ack.quote": "Please quote reference {reference} in all correspondence about this application.",
    # Deficiency notice
    "def.subject": "Incomplete application {reference}: {project}",
    "def.intro": (
        "Thank you for your application. During eligibility screening, we found that the "
        "following information is missing or incomplete:"
    ),
    "def.cure": "Please provide these items by {cure_by}.",
    "def.cure_days": "This gives you {days} calendar days from the date of this notice.",
    "def.consequence": (
        "If the application is not submitted again with them by that date, it is closed and "
        "does not proceed to community review."
    ),
    "def.how": (
        "Add the missing items to your application on its page in grantflow, or send them to "
        "your program officer quoting reference {reference}, and submit the application again "
        "by that date."
    ),
    "def.extension_title": "If this date is difficult",
    "def.extension": (
        "If events in your community, such as a death, a ceremony or an emergency, make this "
        "date difficult, contact your program officer before it passes."
    ),
    # Decision letter (offer)
    "decision.subject": "Offer of funding: {project} ({reference})",
    "decision.intro": (
        "I am pleased to inform you that, following the recommendation of the community review "
        "panel, the Fund has approved funding of up to {approved} for your project."
    ),
    "decision.offer_expires": "Offer expires",
    "decision.conditions": "Conditions of this offer",
    "decision.conditions_intro": (
        "This offer is subject to the following conditions, which form part of Schedule B of "
        "the agreement:"
    ),
    "decision.no_conditions": "This offer has no special conditions.",
    "decision.insurance": (
        "Before the first payment, your organisation must provide a certificate of commercial "
        "general liability insurance of at least {insurance}."
    ),
    "decision.sign_heading": "How to accept this offer",
    "decision.sign1": "Review the enclosed transfer payment agreement and its Schedules A to F.",
    "decision.sign2": (
        "Your organisation’s signing authority signs the agreement electronically on the "
        "grant’s page in grantflow. Electronic signatures are valid."
    ),
    "decision.sign3": "The Fund then countersigns, and you receive the executed agreement.",
    "decision.sign4": (
        "The first payment is made once the agreement is executed and its conditions are met."
    ),
    "decision.expiry": (
        "This offer expires on {date}. If the agreement is not signed by then, the offer lapses."
    ),
    "decision.feedback_heading": "Feedback",
    "decision.feedback": (
        "We would be glad to share the panel’s feedback with you. Please contact your program "
        "officer to arrange a conversation."
    ),
    "decision.congrats": ("Congratulations, and thank you for the work you do in your community."),
    # Decline letter
    "decline.subject": "Your application {reference}: {project}",
    "decline.thanks": (
        "Thank you for the care your organisation put into its application, and for the work "
        "you do in your community."
    ),
    "decline.screening": (
        "After reviewing your application for eligibility, we regret that we cannot move it "
        "forward to community review."
    ),
    "decline.approval": (
        "After careful consideration, including the advice of the community review panel, we "
        "regret that we are unable to fund your application at this time."
    ),
    "decline.reason_heading": "Reason for the decision",
    "decline.feedback_heading": "A conversation about this decision",
    "decline.feedback": (
        "We would welcome a conversation with you about this decision and about how the Fund "
        "might support your work in future. Please contact your program officer to arrange it."
    ),
    "decline.future": (
        "This decision does not affect your eligibility for future calls for applications."
    ),
}
