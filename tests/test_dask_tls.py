"""A Dask cluster secured with TLS: only a client and workers holding a certificate signed by the
cluster's authority take part. The authority and every certificate are made here, in the test
(`cryptography`); the cluster runs in this process (`processes=False`) and is stopped at the end."""

from __future__ import annotations

import asyncio
import datetime
import ipaddress
import logging
import os
import threading

import pytest
from helpers import minimal_brief, pdf_text, run_cli, write_yaml

import briefing
from briefing import build_many
from briefing.commands import remote
from briefing.errors import BriefError

distributed = pytest.importorskip("distributed")
x509 = pytest.importorskip("cryptography.x509")


def _authority(name):
    from cryptography.hazmat.primitives import hashes
    from cryptography.hazmat.primitives.asymmetric import ec

    key = ec.generate_private_key(ec.SECP256R1())
    subject = x509.Name([x509.NameAttribute(x509.oid.NameOID.COMMON_NAME, name)])
    now = datetime.datetime.now(datetime.timezone.utc)
    certificate = (x509.CertificateBuilder().subject_name(subject).issuer_name(subject)
                   .public_key(key.public_key()).serial_number(x509.random_serial_number())
                   .not_valid_before(now - datetime.timedelta(hours=1)).not_valid_after(now + datetime.timedelta(days=1))
                   .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
                   .sign(key, hashes.SHA256()))
    return key, certificate


def _signed(authority, name, folder):
    """A certificate and key for `name`, signed by `authority`, written as PEM files into `folder`."""
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import ec

    authority_key, authority_certificate = authority
    key = ec.generate_private_key(ec.SECP256R1())
    now = datetime.datetime.now(datetime.timezone.utc)
    certificate = (x509.CertificateBuilder()
                   .subject_name(x509.Name([x509.NameAttribute(x509.oid.NameOID.COMMON_NAME, name)]))
                   .issuer_name(authority_certificate.subject).public_key(key.public_key())
                   .serial_number(x509.random_serial_number())
                   .not_valid_before(now - datetime.timedelta(hours=1)).not_valid_after(now + datetime.timedelta(days=1))
                   .add_extension(x509.SubjectAlternativeName([x509.DNSName("localhost"),
                                                               x509.IPAddress(ipaddress.ip_address("127.0.0.1"))]),
                                  critical=False)
                   .sign(authority_key, hashes.SHA256()))
    pem = serialization.Encoding.PEM
    (folder / f"{name}.pem").write_bytes(certificate.public_bytes(pem))
    (folder / f"{name}-key.pem").write_bytes(key.private_bytes(pem, serialization.PrivateFormat.PKCS8,
                                                               serialization.NoEncryption()))
    (folder / f"{name}-ca.pem").write_bytes(authority_certificate.public_bytes(pem))
    return folder / f"{name}.pem", folder / f"{name}-key.pem", folder / f"{name}-ca.pem"


def _security(certificate, key, authority, **roles):
    from distributed import Security

    return Security(tls_ca_file=str(authority), require_encryption=True,
                    **{f"tls_{role}_{part}": str(path) for role in roles.get("roles", ("client",))
                       for part, path in (("cert", certificate), ("key", key))})


@pytest.fixture(scope="module")
def tls(tmp_path_factory):
    """A TLS cluster of one worker, and the certificates: the cluster's own, a client's, a stranger's."""
    from distributed import LocalCluster

    folder = tmp_path_factory.mktemp("certificates")
    ours, theirs = _authority("briefing test authority"), _authority("a stranger's authority")
    node = _signed(ours, "node", folder)
    client = _signed(ours, "client", folder)
    stranger = _signed(theirs, "stranger", folder)
    cluster_security = _security(*node, roles=("scheduler", "worker", "client"))
    with LocalCluster(n_workers=1, threads_per_worker=1, processes=False, protocol="tls://", security=cluster_security,
                      dashboard_address=None, silence_logs=logging.CRITICAL) as cluster:
        yield {"address": cluster.scheduler_address, "cluster": cluster, "folder": folder,
               "client": client, "stranger": stranger}


def _security_file(folder, certificate, key, authority, name="dask-security.toml"):
    path = folder / name
    path.write_text(f'ca_file = "{authority.name}"\ncert = "{certificate.name}"\nkey = "{key.name}"\n')
    return path


def briefs(folder, count=2):
    folder.mkdir(parents=True, exist_ok=True)
    for number in range(1, count + 1):
        data = minimal_brief()
        data["meta"]["title"] = f"Water sharing over TLS, part {number}"
        write_yaml(folder / f"brief-{number}.yaml", data)
    return folder


@pytest.mark.pdf
def test_the_cli_builds_a_batch_on_a_tls_cluster_with_a_security_file(tls, tmp_path):
    folder = briefs(tmp_path / "briefs")
    security = _security_file(tls["folder"], *tls["client"])
    result = run_cli("build", str(folder), "--dask", tls["address"], "--dask-security", str(security),
                     "--output-dir", str(tmp_path / "out"), cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    assert "2 briefs: built 2" in result.stdout
    for number in (1, 2):
        assert f"Water sharing over TLS, part {number}" in pdf_text(tmp_path / "out" / f"brief-{number}.pdf")


@pytest.mark.pdf
def test_python_builds_on_a_tls_cluster_with_a_security_object(tls, tmp_path):
    folder = briefs(tmp_path / "briefs", count=1)
    with briefing.dask_executor(tls["address"], security=_security(*tls["client"])) as executor:
        [item] = build_many([folder], tmp_path / "out", executor=executor)
    assert item.problems == ()
    assert "Water sharing over TLS, part 1" in pdf_text(item.result.pdf)


@pytest.mark.pdf
def test_a_client_without_the_clusters_certificate_cannot_connect(tls, tmp_path):
    folder = briefs(tmp_path / "briefs", count=1)
    stranger = _security_file(tls["folder"], *tls["stranger"], name="stranger-security.toml")
    quick = {"DASK_DISTRIBUTED__COMM__TIMEOUTS__CONNECT": "2s"}
    for extra, expected in (([], "a tls:// scheduler needs --dask-security"),
                            (["--dask-security", str(stranger)], "cannot reach the scheduler at tls://")):
        result = run_cli("build", str(folder), "--dask", tls["address"], *extra, "--output-dir", str(tmp_path / "out"),
                         cwd=tmp_path, env=quick)
        assert result.returncode == 2, result.stdout
        assert expected in result.stderr and "Traceback" not in result.stderr
        assert not (tmp_path / "out").exists()
    # The cluster's own certificate, but over plain TCP: encryption is required, so nothing is sent.
    plain = tls["address"].replace("tls://", "tcp://")
    result = run_cli("build", str(folder), "--dask", plain, "--dask-security",
                     str(_security_file(tls["folder"], *tls["client"])), cwd=tmp_path, env=quick)
    assert result.returncode == 2 and "encryption required" in result.stderr and "Traceback" not in result.stderr


@pytest.mark.pdf
def test_a_worker_without_the_clusters_certificate_cannot_join(tls):
    from distributed import Client, Worker

    def attempt(security):
        outcome = {}

        async def join():
            worker = Worker(tls["address"], security=security, nthreads=1, dashboard_address=None)
            try:
                await asyncio.wait_for(worker, 4)
                outcome["joined"] = True
            except BaseException as error:  # noqa: BLE001 - refused, timed out: not joined
                outcome["error"] = error
            finally:
                await worker.close(timeout=2)

        thread = threading.Thread(target=lambda: asyncio.run(join()))
        thread.start()
        thread.join(30)
        assert not thread.is_alive()
        return outcome

    import dask

    with dask.config.set({"distributed.comm.timeouts.connect": "2s"}):
        stranger = attempt(_security(*tls["stranger"], roles=("worker",)))
        anonymous = attempt(None)
    assert "joined" not in stranger and "joined" not in anonymous
    with Client(tls["address"], security=_security(*tls["client"]), set_as_default=False) as client:
        assert len(client.scheduler_info()["workers"]) == 1  # the cluster's own worker alone


class _Unpickled:
    """A worker's result that, unpickled, makes a folder: proof that a client ran code it was sent."""

    def __init__(self, folder):
        self.folder = str(folder)

    def __reduce__(self):
        return os.mkdir, (self.folder,)


def _hostile_result(folder):
    return _Unpickled(folder)


@pytest.mark.pdf
def test_briefings_dask_client_unpickles_no_result(tls, tmp_path):
    from distributed import Client

    marker = tmp_path / "unpickled-on-the-client"
    with briefing.dask_executor(tls["address"], security=_security(*tls["client"])) as executor:
        assert executor.submit(bytes, 3).result(timeout=60) == b"\0\0\0"  # bytes come through
        with pytest.raises(TypeError, match="only able to deserialize data with \\['msgpack'\\]"):
            executor.submit(_hostile_result, marker).result(timeout=60)  # the refusal settles the future
        with pytest.raises(Exception) as raised:  # a task's own (pickled) exception settles its future too
            executor.submit(int, "not a number").result(timeout=60)
        assert not isinstance(raised.value, TimeoutError)
        assert executor.submit(bytes, 2).result(timeout=60) == b"\0\0"  # and the client goes on
    assert not marker.exists()
    # The control: a Dask client with its default deserializers runs the worker's code.
    with Client(tls["address"], security=_security(*tls["client"]), set_as_default=False) as client:
        client.submit(_hostile_result, marker, pure=False).result(timeout=60)
    assert marker.is_dir()


@pytest.mark.parametrize("text, field, line", [
    ('ca_file = "ca.pem"\ncert = "client.pem"\ncertificate = "x.pem"\n', "certificate", 3),
    ('ca_file = "ca.pem"\ncert = "missing.pem"\n', "cert", 2),
    ('cert = "client.pem"\n', "ca_file", 1),
    ('ca_file = "ca.pem"\ncert = 5\n', "cert", 2),
    ('ca_file = "ca.pem"\n\nkey = "client.pem"\n', "cert", 1),
])
def test_a_security_file_with_a_mistake_is_a_located_error(tmp_path, text, field, line):
    (tmp_path / "ca.pem").write_text("-----BEGIN CERTIFICATE-----\n")
    (tmp_path / "client.pem").write_text("-----BEGIN CERTIFICATE-----\n")
    path = tmp_path / "dask-security.toml"
    path.write_text(text)
    with pytest.raises(BriefError) as raised:
        remote.read_security(path)
    assert [(problem.field, problem.line) for problem in raised.value.problems] == [(field, line)]


def test_a_security_file_may_be_yaml_and_other_files_are_refused(tmp_path):
    for name in ("ca.pem", "client.pem", "client-key.pem"):
        (tmp_path / name).write_text("pem\n")
    path = tmp_path / "security.yaml"
    path.write_text("ca_file: ca.pem\ncert: client.pem\nkey: client-key.pem\n")
    security = remote.read_security(path)
    assert security.tls_ca_file == str((tmp_path / "ca.pem").resolve()) and security.require_encryption
    for name in ("security.json", "fifo.toml"):
        if name == "fifo.toml":
            os.mkfifo(tmp_path / name)
        else:
            (tmp_path / name).write_text("{}")
        with pytest.raises(BriefError):
            remote.read_security(tmp_path / name)


@pytest.mark.pdf
def test_cli_refuses_a_security_file_without_a_cluster_and_names_a_bad_one(tmp_path):
    folder = briefs(tmp_path / "briefs", count=1)
    path = tmp_path / "dask-security.toml"
    path.write_text('ca_file = "ca.pem"\n')
    result = run_cli("build", str(folder), "--dask-security", str(path), cwd=tmp_path)
    assert result.returncode == 2 and "--dask-security: is for a Dask cluster" in result.stderr
    result = run_cli("build", str(folder), "--dask", "tls://127.0.0.1:9", "--dask-security", str(path), cwd=tmp_path)
    assert result.returncode == 2 and "Traceback" not in result.stderr
    assert f"{path}:1:1: ca_file: no such file: 'ca.pem'" in result.stderr
    assert not (tmp_path / "output").exists()
