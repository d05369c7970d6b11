"""French wording of the fund's annual outcome report (``documents.outcome_report``)."""

MESSAGES: dict[str, str] = {
    "outcomes.title": "Rapport annuel sur les résultats",
    "outcomes.subtitle_all": "Exercices {first} à {last}",
    "outcomes.subtitle_one": "Exercice {year}",
    "outcomes.reference": "Rapport sur les résultats {code}",
    "outcomes.issued": "Préparé le {date}",
    "outcomes.organisation": "Toutes les subventions du fonds",
    "outcomes.intro": (
        "Ce rapport présente les résultats du fonds pour l’ensemble de ses subventions : les "
        "nombres déclarés par les organismes dans les rapports sur les résultats acceptés, et "
        "les sommes engagées et versées, par exercice (d’avril à mars). Les rapports ne "
        "contiennent que des nombres agrégés, jamais de renseignements sur une personne."
    ),
    "outcomes.small_cells_title": "Petits nombres",
    "outcomes.small_cells": (
        "Un nombre de 1 à {largest} n’est pas affiché, ni certains autres nombres ou totaux, "
        "choisis de sorte qu’aucun nombre masqué ne puisse être déduit des chiffres affichés. "
        "Le signe {marker} remplace un nombre non affiché. Un zéro est affiché."
    ),
    "outcomes.marker_note": (
        "{marker} nombre non affiché (petit nombre ou nombre qui permettrait de le déduire)"
    ),
    "outcomes.money": "Sommes engagées et versées",
    "outcomes.money_fiscal_year": "Exercice",
    "outcomes.money_committed": "Engagé",
    "outcomes.money_paid": "Versé",
    "outcomes.money_total": "Total",
    "outcomes.money_chart": "Sommes engagées et versées par exercice",
    "outcomes.money_chart_summary": "Barres à l’échelle ; montants en dollars.",
    "outcomes.measure_caption": "{measure}, par subvention et par exercice",
    "outcomes.grant": "Subvention",
    "outcomes.total": "Total",
    "outcomes.counts": "Nombres déclarés",
    "outcomes.measures_chart": "Totaux du fonds par mesure et par exercice",
    "outcomes.measures_chart_summary": (
        "Barres à l’échelle ; un total non affiché n’a pas de barre et porte le signe {marker}."
    ),
    "outcomes.no_reports": "Aucun rapport sur les résultats n’a été accepté pour ces exercices.",
    "outcomes.not_counted": (
        "Les nombres de {count} subvention(s) ne sont pas inclus\u00a0: l’entente de gouvernance "
        "des données de leur organisme ne permet pas de communiquer ses chiffres au ministère, "
        "même regroupés."
    ),
    "outcomes.counted": (
        "Les nombres proviennent des rapports sur les résultats acceptés par un agent, dans "
        "l’exercice où commence la période de chaque rapport. Les sommes engagées sont celles "
        "que les approbations ont engagées sur l’allocation du fonds pour l’exercice ; les "
        "sommes versées sont les versements effectués dans l’exercice."
    ),
}
