# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""TLS: a self-signed emulator is refused by default with a clear message and accepted with a CA
bundle (REQUESTS_CA_BUNDLE) or validate_certs: false; plain http to a non-loopback host is refused."""

import datetime
import ipaddress
import json
import os

import pytest
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID

from conftest import HERE, ROOT, TOKEN, Studio
from studio_emulator.launcher import EmulatorProcess

INVENTORY = os.path.join(ROOT, 'playbooks', 'inventory', 'emulator.yml')


def self_signed(directory):
    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, u'studio-emulator.test')])
    now = datetime.datetime.now(datetime.timezone.utc)
    cert = (x509.CertificateBuilder().subject_name(name).issuer_name(name).public_key(key.public_key())
            .serial_number(x509.random_serial_number()).not_valid_before(now - datetime.timedelta(minutes=5))
            .not_valid_after(now + datetime.timedelta(days=1))
            .add_extension(x509.SubjectAlternativeName([x509.IPAddress(ipaddress.ip_address(u'127.0.0.1'))]),
                           critical=False)
            .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
            .sign(key, hashes.SHA256()))
    cert_path, key_path = os.path.join(directory, 'cert.pem'), os.path.join(directory, 'key.pem')
    with open(cert_path, 'wb') as handle:
        handle.write(cert.public_bytes(serialization.Encoding.PEM))
    with open(key_path, 'wb') as handle:
        handle.write(key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                                       serialization.NoEncryption()))
    return cert_path, key_path


@pytest.fixture(scope='module')
def https_emulator(tmp_path_factory):
    cert, key = self_signed(str(tmp_path_factory.mktemp('tls')))
    with EmulatorProcess('--port', '0', '--auth-token', TOKEN, '--tls-cert', cert, '--tls-key', key) as process:
        assert process.url.startswith('https://127.0.0.1:')
        yield process, cert


def test_self_signed_fails_by_default_and_passes_with_a_ca_bundle_or_validate_certs_false(https_emulator, tmp_path):
    process, cert = https_emulator
    studio = Studio(process.url, None, tmp_path)
    out = tmp_path / 'results.json'
    studio.playbook(os.path.join(HERE, 'tls.yml'), '-e', 'results_out=%s' % out)
    results = json.loads(out.read_text())
    default = results['default']
    assert default['failed'] and 'TLS verification failed for https://127.0.0.1:' in default['msg']
    assert 'REQUESTS_CA_BUNDLE' in default['msg'] and 'validate_certs: false' in default['msg']
    assert 'CERTIFICATE_VERIFY_FAILED' in default['msg']
    assert not results['insecure'].get('failed') and results['insecure']['flows']
    assert results['plain_http']['failed'] and 'studio_url' in results['plain_http']['msg']
    assert 'loopback' in results['plain_http']['msg']
    with_bundle = studio.playbook(os.path.join(HERE, 'tls.yml'), '-e', 'results_out=%s' % out,
                                  env={'REQUESTS_CA_BUNDLE': cert})
    assert with_bundle.returncode == 0
    results = json.loads(out.read_text())
    assert not results['default'].get('failed') and results['default']['flows']


def test_run_flow_over_https_with_a_ca_bundle(https_emulator, tmp_path):
    process, cert = https_emulator
    studio = Studio(process.url, None, tmp_path)
    refused = studio.playbook(os.path.join(ROOT, 'playbooks', 'run_flow.yml'), inventory=INVENTORY, check=False)
    failed = studio.failures(refused.stdout)
    # checked once, before any contact (the preflight): one clear failure, nothing sent
    assert len(failed) == 1 and all('TLS verification failed' in m and 'nothing was sent' in m
                                    for m in failed.values()), refused.stdout[-3000:]
    studio.playbook(os.path.join(ROOT, 'playbooks', 'run_flow.yml'), inventory=INVENTORY,
                    env={'REQUESTS_CA_BUNDLE': cert})
