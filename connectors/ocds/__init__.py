"""The `ocds` kind: contracting processes from OCDS release packages in the shape the
Dirección General de Contrataciones Públicas (DGCP) publishes them."""

from connectors.ocds.connector import OcdsConnector

__all__ = ["OcdsConnector"]
