"""English wording of the notification emails (``documents.messages``)."""

MESSAGES: dict[str, str] = {
    # Shared
    "greeting": "Hello {name},",
    "greeting_generic": "Hello,",
    "about": "{reference} (“{project}”)",
    "report.annual": "your annual report (report {sequence})",
    "report.final": "your final report (report {sequence})",
    "report.plain": "your report no. {sequence}",
    "open": "Open it in grantflow: {link}",
    "left.many": "There are {days} days left.",
    "left.one": "There is 1 day left.",
    "left.today": "Today is the last day.",
    "submit": (
        "Submit the report on the grant page in grantflow. Reports contain aggregate counts "
        "only: never include names or other information about individuals."
    ),
    "help": "If you need help or more time, please contact your program officer.",
    "questions": "If you have any questions, please contact your program officer.",
    "future_call": "Your organisation may apply to a future call for applications.",
    "footer.organisation": (
        "This message was sent automatically by grantflow for the Fund. Please do not reply "
        "to it; for questions, contact your program officer."
    ),
    "footer.staff": (
        "This message was sent automatically by grantflow for the Fund. Please do not reply "
        "to it. To receive these notices one message at a time or as one daily digest, ask "
        "your administrator."
    ),
    # To the organisation
    "documents_ready.subject": "Documents ready: {reference}",
    "documents_ready.intro": "The following documents for {about} are attached to this message:",
    "documents_ready.also": "You can also find them on the grant page in grantflow.",
    "report_reminder.subject": "Report {sequence} due on {deadline}: {reference}",
    "report_reminder.due.many": (
        "This is a reminder that {report} for {about} is due on {deadline}, in {days} days."
    ),
    "report_reminder.due.one": (
        "This is a reminder that {report} for {about} is due tomorrow, {deadline}."
    ),
    "report_reminder.due.today": (
        "This is a reminder that {report} for {about} is due today, {deadline}."
    ),
    "report_reminder.due.plain": (
        "This is a reminder that {report} for {about} is due on {deadline}."
    ),
    "report_reminder.attached": "The reminder is attached to this message.",
    "report_overdue.subject": "Report {sequence} overdue, payments on hold: {reference}",
    "report_overdue.late.many": (
        "The deadline for {report} for {about} was {deadline}; the report is now {days} days "
        "overdue."
    ),
    "report_overdue.late.one": (
        "The deadline for {report} for {about} was {deadline}; the report is now 1 day overdue."
    ),
    "report_overdue.late.plain": (
        "The deadline for {report} for {about} was {deadline}, and the report is overdue."
    ),
    "report_overdue.hold": (
        "Under your agreement, payments are on hold while a report is overdue. They resume "
        "once the report has been submitted and accepted by your program officer."
    ),
    "report_overdue.attached": "The overdue report notice attached to this message gives details.",
    "offer_expiring.subject": "Offer expires on {deadline}: {reference}",
    "offer_expiring.sign_by": (
        "The offer of funding for {about} must be accepted by signing the agreement by {deadline}."
    ),
    "offer_expiring.how": (
        "Your organisation’s signing authority signs the agreement on the grant page in "
        "grantflow. If the agreement is not signed by that date, the offer lapses."
    ),
    "offer_lapsed.subject": "Offer lapsed: {reference}",
    "offer_lapsed.lapsed": (
        "The agreement for {about} was not signed by {deadline}, so the offer of funding has "
        "lapsed and can no longer be signed. The notice of lapsed offer is attached to this "
        "message."
    ),
    "cure_period_ending.subject": "Information needed by {deadline}: {reference}",
    "cure_period_ending.by": (
        "The information requested for application {about} must be provided, and the "
        "application resubmitted, by {deadline}."
    ),
    "cure_period_ending.how": (
        "Add the information to the application and resubmit it on its page in grantflow. If "
        "it is not received by that date, the application may be closed. If you need more "
        "time, please contact your program officer before then."
    ),
    "application_closed_incomplete.subject": "Application closed: {reference}",
    "application_closed_incomplete.closed": (
        "The information requested for application {about} was not received by {deadline}, so "
        "the application has been closed."
    ),
    "report_returned.subject": "Report returned for changes: {reference}",
    "report_returned.returned": (
        "Your program officer has returned {report} for {about} for changes and can tell you "
        "what to change; submit the report again once it is corrected."
    ),
    "report_accepted.subject": "Report accepted: {reference}",
    "report_accepted.accepted": (
        "Your program officer has accepted {report} for {about}. Nothing more is needed for "
        "this report."
    ),
    "amendment_declined.subject": "Amendment not approved: {reference}",
    "amendment_declined.declined": (
        "The Fund has not approved the proposed amendment of the agreement for {about}."
    ),
    "amendment_withdrawn.subject": "Amendment withdrawn: {reference}",
    "amendment_withdrawn.withdrawn": (
        "Your program officer has withdrawn the proposed amendment of the agreement for {about}."
    ),
    "amendment.unchanged": "The agreement in force stays as it is.",
    "payment_held.subject": "Payment on hold: {reference}",
    "payment_held.held": (
        "Instalment {instalment} for {about} has been put on hold by your program officer, who "
        "can tell you why. It can be paid once the hold is lifted."
    ),
    # To staff: the reference and link only
    "application_to_screen.subject": "grantflow: application {reference} to screen",
    "application_to_screen.body": (
        "Application {reference} has been submitted and waits for eligibility screening."
    ),
    "application_to_screen.line": "{reference}: application to screen",
    "panel_ready.subject": "grantflow: panel scoring complete for {reference}",
    "panel_ready.body": (
        "The panel’s scoring of application {reference} is complete. It is ready for you to "
        "record the panel’s recommendation."
    ),
    "panel_ready.line": "{reference}: panel scoring complete, recommendation to record",
    "approval_pending.subject": "grantflow: application {reference} waits for approval",
    "approval_pending.body": "Application {reference} waits for an approval decision.",
    "approval_pending.line": "{reference}: approval decision pending",
    "payment_to_initiate.subject": "grantflow: instalment {instalment} of {reference} to initiate",
    "payment_to_initiate.body": (
        "Instalment {instalment} of grant {reference} is due on {deadline} and waits to be "
        "initiated."
    ),
    "payment_to_initiate.line": (
        "{reference}: instalment {instalment}, due on {deadline}, to initiate"
    ),
    "payment_to_release.subject": "grantflow: instalment {instalment} of {reference} to release",
    "payment_to_release.body": (
        "Instalment {instalment} of grant {reference} has been initiated and waits for release. "
        "It must be released by someone other than the person who initiated it."
    ),
    "payment_to_release.line": "{reference}: instalment {instalment} to release",
    "report_to_review.subject": "grantflow: report {sequence} of {reference} to review",
    "report_to_review.body": (
        "Report {sequence} of grant {reference} has been submitted and waits for review."
    ),
    "report_to_review.line": "{reference}: report {sequence} to review",
    "amendment_to_approve.subject": "grantflow: an amendment of {reference} waits for approval",
    "amendment_to_approve.body": (
        "An amendment of the agreement of grant {reference} waits for an approval decision."
    ),
    "amendment_to_approve.line": "{reference}: amendment approval pending",
    "amendment_to_countersign.subject": (
        "grantflow: an amendment of {reference} waits for countersignature"
    ),
    "amendment_to_countersign.body": (
        "The recipient has signed an amending agreement of grant {reference}; it waits for the "
        "Fund’s countersignature."
    ),
    "amendment_to_countersign.line": "{reference}: amending agreement to countersign",
    # Daily digest (staff)
    "digest.subject.one": "grantflow: 1 item waits for you",
    "digest.subject.many": "grantflow: {count} items wait for you",
    "digest.intro": "These items wait for you in grantflow:",
}
