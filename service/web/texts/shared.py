"""Words both catalogues take from one table: payload fields, their options, document titles.

Each entry is (English, French), so a field added to a payload is named in both languages in
one place; a test fails while a declared field or option has no entry.
"""

from __future__ import annotations

from collections.abc import Mapping

from models.payloads import REVIEW_CRITERIA

FIELDS: dict[str, tuple[str, str]] = {
    "fund_code": ("Fund", "Fonds"),
    "organisation_id": ("Organisation", "Organisme"),
    "project_title": ("Project title", "Titre du projet"),
    "project_description": ("Project description", "Description du projet"),
    "community": ("Community served", "Communauté desservie"),
    "start_date": ("Start date", "Date de début"),
    "end_date": ("End date", "Date de fin"),
    "budget": ("Budget", "Budget"),
    "items": ("What the applicant must provide", "Ce que le demandeur doit fournir"),
    "coordinator_id": ("Review coordinator", "Coordonnateur de l'examen"),
    "reason": ("Reason", "Motif"),
    "kind": ("Conflict of interest", "Conflit d'intérêts"),
    "note": ("Note", "Note"),
    "scores": ("Scores (1 = weak, 5 = strong)", "Notes (1 = faible, 5 = solide)"),
    "consensus_rating": ("Consensus rating (1 to 5)", "Cote consensuelle (1 à 5)"),
    "rationale": ("Rationale", "Justification"),
    "recommended_cents": ("Recommended amount", "Montant recommandé"),
    "deliberation_notes": (
        "Deliberation notes (sealed, panel only)",
        "Notes de délibération (scellées, comité seulement)",
    ),
    "approved_cents": ("Approved amount", "Montant approuvé"),
    "risk_rating": ("Risk rating", "Cote de risque"),
    "conditions": ("Conditions", "Conditions"),
    "signer_name": ("Your name, as signatory", "Votre nom, comme signataire"),
    "signer_title": ("Your title", "Votre fonction"),
    "certificate_ref": ("Certificate reference", "Référence du certificat"),
    "insurer": ("Insurer", "Assureur"),
    "coverage_cents": ("Liability coverage", "Couverture de responsabilité"),
    "sequence": ("Number", "Numéro"),
    "expenditure_cents": ("Spent in the period", "Dépenses de la période"),
    "people_served_new": ("People served (new)", "Personnes servies (nouvelles)"),
    "people_served_continuing": ("People served (continuing)", "Personnes servies (suivi continu)"),
    "service_contacts": ("Service contacts", "Contacts de service"),
    "referrals": ("Referrals", "Aiguillages"),
    "culturally_based_services": (
        "Culturally based services delivered",
        "Services culturels offerts",
    ),
    "approved_cents_reason": (
        "Why the approved amount changes",
        "Motif de la modification du montant approuvé",
    ),
    "end_date_reason": ("Why the end date changes", "Motif de la modification de la date de fin"),
    "annual_report_days": (
        "Annual report due (days after the fiscal year ends)",
        "Rapport annuel dû (jours après la fin de l'exercice)",
    ),
    "final_report_days": (
        "Final report due (days after the project ends)",
        "Rapport final dû (jours après la fin du projet)",
    ),
    "report_schedule_reason": (
        "Why the reporting schedule changes",
        "Motif de la modification du calendrier des rapports",
    ),
}

CRITERIA: dict[str, tuple[str, str]] = {
    "indigenous_governance": (
        "Indigenous-led governance and community support",
        "Gouvernance autochtone et appui de la communauté",
    ),
    "survivor_centred": (
        "Survivor-centred, trauma-informed design",
        "Conception axée sur les survivantes et survivants, tenant compte des traumatismes",
    ),
    "cultural_grounding": ("Cultural grounding and protocols", "Ancrage culturel et protocoles"),
    "need_and_reach": (
        "Need and reach (remote, fly-in, Northern)",
        "Besoin et portée (éloigné, accessible par avion, Nord)",
    ),
    "partnerships": ("Partnerships", "Partenariats"),
    "feasibility_budget": ("Feasibility and budget", "Faisabilité et budget"),
    "evaluation_ocap": (
        "Evaluation plan respecting OCAP and CARE",
        "Plan d'évaluation respectant PCAP et CARE",
    ),
}

OPTIONS: dict[str, dict[str, tuple[str, str]]] = {
    "kind": {
        "none": ("No conflict", "Aucun conflit"),
        "indirect": (
            "Indirect conflict (recorded, the chair rules)",
            "Conflit indirect (consigné, la présidence tranche)",
        ),
        "direct": ("Direct conflict (I step aside)", "Conflit direct (je me retire)"),
    },
    "risk_rating": {
        "low": ("Low", "Faible"),
        "medium": ("Medium", "Moyen"),
        "high": ("High", "Élevé"),
    },
}


def field_names(language: str) -> dict[str, str]:
    index = 0 if language == "en" else 1
    words = {f"field.{name}": pair[index] for name, pair in FIELDS.items()}
    for criterion in REVIEW_CRITERIA:
        words[f"field.scores.{criterion}"] = CRITERIA[criterion][index]
    for name, options in OPTIONS.items():
        for value, pair in options.items():
            words[f"option.{name}.{value}"] = pair[index]
    return words


def document_titles(language: str, kinds: Mapping[str, object]) -> dict[str, str]:
    from documents.text import catalogue

    titles = catalogue(language)  # type: ignore[arg-type]
    return {f"document.{kind}": titles(f"title.{kind}") for kind in kinds}
