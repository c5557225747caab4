#!/usr/bin/env python3
"""Verify a year-end archive of Dziennik (L-11) without the application.

    python scripts/verify_archive.py ARCHIVE.zip [--trust SHA256]

Plain Python with signxml, pyHanko and cryptography: no Django, no database, so the
archive can be checked years later on any machine. It checks

* the manifest's detached JWS signature (RS256) against the certificate it names
  (``x5c``), which must be the archive's ``certificate.pem`` and the manifest's signer;
* with ``--trust``, that this certificate has the given SHA-256 fingerprint (the school's
  published one: a self-made archive signed by someone else then fails);
* every file the manifest lists: present, of its size and SHA-256, and no other file;
* every file's own signature: XAdES (enveloped) for XML, PAdES for PDF, made with the
  archive's certificate and covering the whole file.

Exit status 0 and ``OK: …`` when everything holds; 1 and one line per failure otherwise;
2 when the archive cannot be opened at all.
"""

from __future__ import annotations

import argparse
import base64
import binascii
import hashlib
import io
import json
import sys
import zipfile
from dataclasses import dataclass, field

from asn1crypto import x509 as asn1_x509
from cryptography import x509
from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import padding, rsa
from lxml import etree
from pyhanko.pdf_utils.reader import PdfFileReader
from pyhanko.sign.validation import validate_pdf_signature
from pyhanko.sign.validation.status import SignatureCoverageLevel
from pyhanko_certvalidator import ValidationContext
from signxml.xades import XAdESVerifier

MANIFEST = "manifest.json"
MANIFEST_SIGNATURE = "manifest.json.jws"
CERTIFICATE = "certificate.pem"
FORMAT = "dziennik-archive/1"
OWN_FILES = {MANIFEST, MANIFEST_SIGNATURE, CERTIFICATE}


@dataclass
class Report:
    errors: list[str] = field(default_factory=list)
    checked: int = 0
    signer: str = ""
    fingerprint: str = ""

    def fail(self, message: str) -> None:
        self.errors.append(message)


def _b64url_decode(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def _b64url(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode("ascii")


def check_manifest_signature(jws: bytes, manifest: bytes, certificate: x509.Certificate) -> str:
    """'' when ``jws`` is a valid detached RS256 signature of ``manifest`` by
    ``certificate``; otherwise why not."""
    try:
        protected, payload, signature = jws.decode("ascii").strip().split(".")
        header = json.loads(_b64url_decode(protected))
        signature_bytes = _b64url_decode(signature)
        x5c = base64.b64decode(header["x5c"][0])
    except (ValueError, KeyError, IndexError, TypeError, binascii.Error):
        return "the manifest's signature is not a detached JWS"
    if payload:
        return "the manifest's signature is not detached"
    if header.get("alg") != "RS256":
        return "the manifest's signature uses an unexpected algorithm"
    if x5c != certificate.public_bytes(serialization.Encoding.DER):
        return "the manifest is signed with another certificate than the archive's"
    public_key = certificate.public_key()
    if not isinstance(public_key, rsa.RSAPublicKey):
        return "the archive's certificate has no RSA key"
    signing_input = f"{protected}.{_b64url(manifest)}".encode("ascii")
    try:
        public_key.verify(signature_bytes, signing_input, padding.PKCS1v15(), hashes.SHA256())
    except InvalidSignature:
        return "the manifest's signature is invalid (the manifest was changed)"
    return ""


def check_xml(data: bytes, certificate_pem: bytes) -> str:
    try:
        root = etree.fromstring(data, parser=etree.XMLParser(resolve_entities=False))
        XAdESVerifier().verify(root, x509_cert=certificate_pem, expect_references=3)
    except Exception as exc:  # signxml raises many kinds; each is a failed signature
        return f"XAdES signature invalid ({type(exc).__name__}: {exc})"
    return ""


def check_pdf(data: bytes, certificate: x509.Certificate) -> str:
    trusted = asn1_x509.Certificate.load(certificate.public_bytes(serialization.Encoding.DER))
    try:
        reader = PdfFileReader(io.BytesIO(data), strict=False)
        signatures = reader.embedded_signatures
        if len(signatures) != 1:
            return f"PAdES signature missing ({len(signatures)} signatures)"
        status = validate_pdf_signature(
            signatures[0], ValidationContext(trust_roots=[trusted], allow_fetching=False)
        )
    except Exception as exc:  # a damaged PDF cannot be read: its signature fails
        return f"PAdES signature cannot be checked ({type(exc).__name__}: {exc})"
    if not status.intact:
        return "PAdES signature invalid (the document was changed)"
    if not status.valid:
        return "PAdES signature invalid (the signature does not match)"
    if status.coverage != SignatureCoverageLevel.ENTIRE_FILE:
        return "PAdES signature does not cover the whole file"
    if status.signing_cert.dump() != trusted.dump():
        return "PAdES signature made with another certificate than the archive's"
    return ""


def _check_files(archive: zipfile.ZipFile, manifest: dict, certificate, report: Report) -> None:
    certificate_pem = certificate.public_bytes(serialization.Encoding.PEM)
    listed = set()
    for entry in manifest.get("files", []):
        name = entry["name"]
        listed.add(name)
        try:
            data = archive.read(name)
        except KeyError:
            report.fail(f"{name}: listed in the manifest but missing from the archive")
            continue
        report.checked += 1
        if len(data) != entry["size"]:
            report.fail(f"{name}: size mismatch ({len(data)} bytes, manifest {entry['size']})")
        if hashlib.sha256(data).hexdigest() != entry["sha256"]:
            report.fail(f"{name}: SHA-256 hash mismatch (the file was changed)")
        kind = entry.get("signature")
        if kind == "XAdES":
            problem = check_xml(data, certificate_pem)
        elif kind == "PAdES":
            problem = check_pdf(data, certificate)
        else:
            problem = f"unknown signature kind {kind!r}"
        if problem:
            report.fail(f"{name}: {problem}")
    for name in archive.namelist():
        if name not in listed and name not in OWN_FILES:
            report.fail(f"{name}: in the archive but not in the manifest")


def verify(path: str, trust: str = "") -> Report:
    """Check the archive at ``path``; raises ``OSError``/``zipfile.BadZipFile`` when it
    cannot be opened."""
    report = Report()
    with zipfile.ZipFile(path) as archive:
        try:
            manifest_bytes = archive.read(MANIFEST)
            jws = archive.read(MANIFEST_SIGNATURE)
            certificate = x509.load_pem_x509_certificate(archive.read(CERTIFICATE))
        except (KeyError, ValueError) as exc:
            report.fail(f"the archive lacks its manifest, signature or certificate ({exc})")
            return report
        report.signer = certificate.subject.rfc4514_string()
        report.fingerprint = certificate.fingerprint(hashes.SHA256()).hex()
        problem = check_manifest_signature(jws, manifest_bytes, certificate)
        if problem:
            report.fail(f"{MANIFEST}: {problem}")
        if trust and trust.lower().replace(":", "") != report.fingerprint:
            report.fail(f"{CERTIFICATE}: not the trusted certificate (SHA-256 {trust})")
        try:
            manifest = json.loads(manifest_bytes)
        except ValueError:
            report.fail(f"{MANIFEST}: not valid JSON")
            return report
        if manifest.get("format") != FORMAT:
            report.fail(f"{MANIFEST}: unknown format {manifest.get('format')!r}")
            return report
        if manifest.get("signer", {}).get("sha256") != report.fingerprint:
            report.fail(f"{MANIFEST}: names another signer than the archive's certificate")
        _check_files(archive, manifest, certificate, report)
    return report


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Verify a Dziennik year-end archive.")
    parser.add_argument("archive", help="the archive (.zip)")
    parser.add_argument("--trust", default="", help="the signer's SHA-256 fingerprint (hex)")
    args = parser.parse_args(argv)
    try:
        report = verify(args.archive, args.trust)
    except (OSError, zipfile.BadZipFile) as exc:
        print(f"FAILED: the archive cannot be opened: {exc}", file=sys.stderr)
        return 2
    if report.errors:
        for error in report.errors:
            print(f"FAILED: {error}", file=sys.stderr)
        return 1
    print(
        f"OK: {report.checked} files, the manifest and every signature verify; "
        f"signed by {report.signer} (SHA-256 {report.fingerprint})"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
