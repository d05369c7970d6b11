"""Audit evidence that reads stored documents: verification of the whole trail and a grant's
dossier (``dossier``, ``evidence``, ``dossier_archive``, ``dossier_texts``). The log and its
checkpoints are ``models.audit`` and ``models.checkpoints``; the standalone script shipped into
every dossier is ``models.dossier_verifier``; the dossier's PDF report is the ``audit_dossier``
document kind (``documents.builders.audit_dossier``)."""
