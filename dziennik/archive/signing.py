"""Signing the archive's files with the school's certificate (L-11, L-12).

The school's key and certificate come from a PKCS#12 file (``ARCHIVE_P12`` and
``ARCHIVE_P12_PASSWORD``); ``manage.py archive_test_certificate`` makes a self-signed one
for the demo and the tests. Each XML file gets an enveloped XAdES signature (signxml),
each PDF a PAdES signature (pyHanko), and the manifest a detached JWS (RFC 7515, RS256,
the certificate in ``x5c``), which ``scripts/verify_archive.py`` checks with nothing but
``cryptography``.
"""

from __future__ import annotations

import base64
import datetime
import io
import json
from dataclasses import dataclass
from functools import cached_property
from pathlib import Path

from asn1crypto import keys as asn1_keys
from asn1crypto import x509 as asn1_x509
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import padding, rsa
from cryptography.hazmat.primitives.serialization import pkcs12
from cryptography.x509.oid import NameOID
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext as _
from lxml import etree
from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter
from pyhanko.sign import fields, signers
from signxml import methods
from signxml.xades import XAdESDataObjectFormat, XAdESSigner

TEST_CERTIFICATE_NAME = "test-certificate.p12"


@dataclass(frozen=True)
class SchoolKey:
    """The school's signing key and certificate."""

    key: rsa.RSAPrivateKey
    certificate: x509.Certificate

    @cached_property
    def key_pem(self) -> bytes:
        return self.key.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        )

    @cached_property
    def certificate_pem(self) -> bytes:
        return self.certificate.public_bytes(serialization.Encoding.PEM)

    @property
    def subject(self) -> str:
        return self.certificate.subject.rfc4514_string()

    @property
    def fingerprint(self) -> str:
        return self.certificate.fingerprint(hashes.SHA256()).hex()


def p12_path() -> Path:
    """The configured PKCS#12 file; without one, in development (DEBUG) the test
    certificate in ``ARCHIVE_DIR``."""
    if settings.ARCHIVE_P12:
        return Path(settings.ARCHIVE_P12)
    if settings.DEBUG:
        return Path(settings.ARCHIVE_DIR) / TEST_CERTIFICATE_NAME
    raise ImproperlyConfigured(
        _("No certificate to sign the archive with: set ARCHIVE_P12 and ARCHIVE_P12_PASSWORD.")
    )


def load_school_key() -> SchoolKey:
    path = p12_path()
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise ImproperlyConfigured(
            _("The archive's certificate %(path)s cannot be read: %(error)s")
            % {"path": path, "error": exc.strerror}
        ) from exc
    password = settings.ARCHIVE_P12_PASSWORD.encode() or None
    try:
        key, certificate, _extra = pkcs12.load_key_and_certificates(data, password)
    except ValueError as exc:
        raise ImproperlyConfigured(
            _("The archive's certificate %(path)s cannot be opened (a wrong password?).")
            % {"path": path}
        ) from exc
    if not isinstance(key, rsa.RSAPrivateKey) or certificate is None:
        raise ImproperlyConfigured(_("The archive's certificate must hold an RSA key."))
    return SchoolKey(key=key, certificate=certificate)


def make_test_certificate(*, common_name: str, password: str, days: int = 365) -> bytes:
    """A self-signed certificate with its RSA key as PKCS#12, for the demo and tests:
    never the school's real signature."""
    key = rsa.generate_private_key(public_exponent=65537, key_size=3072)
    name = x509.Name(
        [
            x509.NameAttribute(NameOID.COUNTRY_NAME, "PL"),
            x509.NameAttribute(NameOID.ORGANIZATION_NAME, "Dziennik (test)"),
            x509.NameAttribute(NameOID.COMMON_NAME, common_name),
        ]
    )
    now = datetime.datetime.now(datetime.UTC)
    usage = x509.KeyUsage(
        digital_signature=True,
        content_commitment=True,
        key_encipherment=False,
        data_encipherment=False,
        key_agreement=False,
        key_cert_sign=False,
        crl_sign=False,
        encipher_only=False,
        decipher_only=False,
    )
    certificate = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - datetime.timedelta(minutes=5))
        .not_valid_after(now + datetime.timedelta(days=days))
        .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
        .add_extension(usage, critical=True)
        .sign(key, hashes.SHA256())
    )
    encryption = (
        serialization.BestAvailableEncryption(password.encode())
        if password
        else serialization.NoEncryption()
    )
    return pkcs12.serialize_key_and_certificates(
        b"dziennik-archive", key, certificate, None, encryption
    )


def sign_xml(school_key: SchoolKey, document: bytes, *, description: str) -> bytes:
    """The XML ``document`` with an enveloped XAdES(-BES) signature."""
    root = etree.fromstring(document)
    signer = XAdESSigner(
        method=methods.enveloped,
        data_object_format=XAdESDataObjectFormat(Description=description, MimeType="text/xml"),
    )
    signed = signer.sign(root, key=school_key.key_pem, cert=school_key.certificate_pem)
    return etree.tostring(signed, xml_declaration=True, encoding="UTF-8")


def sign_pdf(school_key: SchoolKey, document: bytes, *, reason: str) -> bytes:
    """The PDF with a PAdES (ETSI.CAdES.detached) signature over the whole file."""
    signer = signers.SimpleSigner(
        signing_cert=_asn1_certificate(school_key.certificate),
        signing_key=_asn1_key(school_key.key),
        cert_registry=None,
    )
    metadata = signers.PdfSignatureMetadata(
        field_name="Archiwum",
        reason=reason,
        subfilter=fields.SigSeedSubFilter.PADES,
        md_algorithm="sha256",
    )
    writer = IncrementalPdfFileWriter(io.BytesIO(document))
    return signers.sign_pdf(writer, metadata, signer=signer).getvalue()


def _asn1_certificate(certificate: x509.Certificate):
    return asn1_x509.Certificate.load(certificate.public_bytes(serialization.Encoding.DER))


def _asn1_key(key: rsa.RSAPrivateKey):
    der = key.private_bytes(
        serialization.Encoding.DER,
        serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption(),
    )
    return asn1_keys.PrivateKeyInfo.load(der)


def _b64url(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode("ascii")


def sign_detached_jws(school_key: SchoolKey, payload: bytes) -> bytes:
    """A compact JWS with a detached payload (``header..signature``, RFC 7515 F):
    RS256, the certificate in ``x5c``."""
    der = school_key.certificate.public_bytes(serialization.Encoding.DER)
    header = {"alg": "RS256", "typ": "JOSE", "x5c": [base64.b64encode(der).decode("ascii")]}
    protected = _b64url(json.dumps(header, separators=(",", ":")).encode())
    signing_input = f"{protected}.{_b64url(payload)}".encode("ascii")
    signature = school_key.key.sign(signing_input, padding.PKCS1v15(), hashes.SHA256())
    return f"{protected}..{_b64url(signature)}".encode("ascii")
