"""The plain-text members of a dossier: VERIFY.md, WITHHELD.md and sealed-notes.txt, and what
is withheld (shared with the PDF report; its wording is in ``documents/text/en_audit.py``)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from documents.text import audit_catalogue

if TYPE_CHECKING:
    from documents.audit.evidence import Evidence


def withheld_paragraphs(evidence: Evidence) -> list[str]:
    """What is withheld, in the words of both WITHHELD.md and the report."""
    t = audit_catalogue()
    organisation = evidence.organisation.legal_name
    if not evidence.grant.sealed_deliberation_notes:
        notes = t("audit.no_notes")
    elif evidence.notes_included:
        notes = t("audit.included_notes", organisation=organisation)
    else:
        notes = t("audit.withheld_notes", organisation=organisation)
    paragraphs = [notes, t("audit.withheld_scores")]
    if evidence.withheld_leaves or evidence.withheld_documents:
        paragraphs.append(
            t(
                "audit.withheld_counts",
                largest=evidence.count_threshold - 1,
                threshold=evidence.count_threshold,
                events=evidence.withheld_leaves,
                documents=len(evidence.withheld_documents),
            )
        )
    return paragraphs


def sealed_notes_text(evidence: Evidence) -> str:
    grant, organisation = evidence.grant, evidence.organisation
    return (
        f"Community review deliberation notes: {grant.reference}\n"
        f"Included because the data agreement of {organisation.legal_name} allows auditors "
        "to see them. They belong to the community (OCAP/CARE); use them only for this audit.\n"
        "They are sealed outside the audit log, so no leaf hash covers them.\n\n"
        f"{grant.sealed_deliberation_notes}\n"
    )


def verify_md(evidence: Evidence) -> str:
    grant = evidence.grant
    head = evidence.head
    anchor = (
        f"- checkpoint (tree size {head.size}, made {head.at} UTC), root:\n  `{head.root}`\n"
        if head
        else "- no saved checkpoint covered this log when the dossier was made\n"
    )
    if evidence.fresh is not None:
        anchor += (
            f"- events not yet checkpointed are proven against a head computed at export "
            f"(tree size {evidence.fresh.size}), root:\n  `{evidence.fresh.root}`\n"
        )
    return f"""# Verifying the audit dossier of {grant.reference}

This dossier holds every audit event of grant {grant.reference} from grantflow’s audit log,
each with an RFC 6962 inclusion proof, and every document stored for the grant. You can check
all of it without grantflow, with Python 3.8 or later and nothing else.

## 1. Run the verifier

Unpack the ZIP into an empty folder and, in that folder, run:

    python3 verify_dossier.py

It prints `dossier verified: N events, M documents` and exits 0, or prints
`dossier verification FAILED: ...` naming the first problem and exits 1. It checks:

1. every file against `MANIFEST.sha256`, and that no file is unlisted (the same check as
   `sha256sum -c MANIFEST.sha256`);
2. each event’s leaf hash, recomputed from its `leaf_data` as SHA-256(0x00 || leaf_data)
   (RFC 6962 section 2.1), and that the fields shown in `history.json` say what `leaf_data`
   says (`leaf_data` is the exact canonical JSON the log hashed: sorted keys, UTF-8, UTC); a
   report’s submission holding an outcome count below the fund’s threshold is given by its
   `leaf_hash` only (`leaf_withheld`, see `WITHHELD.md`): its place in the log is proven, its
   fields are not checked;
3. each event’s inclusion proof against the root in `checkpoint.json`, with the verification
   algorithm of RFC 9162 section 2.1.3.2 written out in the script;
4. each saved checkpoint’s consistency proof against that root (RFC 9162 section 2.1.4.2):
   the log only grew between them;
5. each document in `documents/` against the SHA-256 its `document_stored` event recorded.

Read the script: it is short, and it is the whole of the check.

## 2. Compare the root with a checkpoint you obtained independently

Everything above proves the dossier is consistent with the root in `checkpoint.json`. Someone
able to rewrite the log could also rebuild a consistent dossier, so the root itself must be
compared with a tree head you did not get from this dossier. This dossier’s proofs are against:

{anchor}
The fund publishes tree heads with `grantflow audit checkpoint` (and `grantflow demo`), which
prints a line such as

    checkpoint size=1234 root=3f5a... at=2026-05-01T18:05:03+00:00

Obtain such a line independently (from the fund’s published record, your own earlier run, or a
copy the fund sent you at the time), then:

- if its size equals the tree size above, its root must equal the root above exactly;
- if its size is smaller (published earlier), run

      python3 verify_dossier.py --published-size SIZE --published-root ROOT

  which checks that this checkpoint is among the saved checkpoints in `checkpoint.json` with
  the same root, and that its consistency proof to this dossier’s root holds: the log you were
  shown then is a prefix of the log proven here, unchanged;
- if its size is larger (published later), ask the fund for a dossier made after it, or for
  `grantflow audit prove EVENT_ID` output against that tree head.

A mismatch means the log was changed after the checkpoint was published.

## 3. What is not in this dossier

See `WITHHELD.md`: community review deliberation notes are included only when the applicant’s
data-governance agreement allows it, and individual reviewers’ scores never are.
"""


def withheld_md(evidence: Evidence) -> str:
    body = "\n\n".join(withheld_paragraphs(evidence))
    return (
        f"# Withheld from the audit dossier of {evidence.grant.reference}\n\n{body}\n\n"
        "The fund’s choice (DOMAIN: Indigenous data sovereignty): community review deliberation "
        "notes belong to the community; program staff see the panel’s mean scores and the "
        "decision record; "
        "auditors see process evidence, not the deliberation text, unless the applicant’s data "
        "agreement allows it.\n"
    )
