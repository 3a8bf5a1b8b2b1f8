"""SOAP services from municipal vendors as a connector kind (`soap`), through zeep."""

from connectors.soap.config import HttpBasicAuth, SoapBindingConfig, SoapSourceConfig
from connectors.soap.connector import SoapConnector

__all__ = ["HttpBasicAuth", "SoapBindingConfig", "SoapConnector", "SoapSourceConfig"]
