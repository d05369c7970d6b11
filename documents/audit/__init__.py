"""Audit evidence that reads stored documents: verification of the whole trail and a grant's
dossier (``dossier``, ``dossier_archive``, ``dossier_texts``, and ``dossier_verifier``, the
standalone script shipped into every dossier). The log and its checkpoints are
``models.audit`` and ``models.checkpoints``; the dossier's PDF report is the ``audit_dossier``
document kind (``documents.builders.audit_dossier``)."""
