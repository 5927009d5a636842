#!/usr/bin/env python3
# Checks that the adapter, run as the Deployment's user, can read the Secret volumes
# the Deployment mounts: it lays each Secret volume out the way kubelet does, runs the
# real binary as runAsUser/runAsGroup (+ fsGroup as a supplementary group, as the
# container runtime does) and asserts that /livez answers over HTTPS with the projected
# certificate and that the projected token reaches Sysdig. Then it runs the same
# rendering with fsGroup removed and asserts that the files are unreadable and the
# adapter exits with a read error, so the check proves both directions.
#
# kubelet's projection of a Secret volume, from kubernetes/kubernetes:
#   pkg/volume/secret/secret.go        the volume is an emptyDir (medium Memory) wrapper;
#       MakePayload gives every file items[].mode, else defaultMode (API default 0644);
#       GetAttributes() says ReadOnly: true; ownership is applied through
#       volume.SetVolumeOwnership(fsGroup) after the AtomicWriter wrote the payload
#       (newer releases: a setPerms callback of AtomicWriter.Write, fsGroupChangePolicy
#       nil, as in pkg/volume/configmap/configmap.go and pkg/volume/downwardapi/downwardapi.go,
#       so fsGroupChangePolicy does not apply to these volumes).
#   pkg/volume/util/atomic_writer.go   files live in a timestamped dir "..YYYY_MM_DD_hh_mm_ss.N"
#       (chmod 0755), written with os.WriteFile then chmod(mode) so the umask does not
#       matter; "..data" -> that dir; each top-level name is a symlink "key" -> "..data/key".
#       FileProjection.FsUser is nil for Secrets, so everything stays owned by kubelet: root.
#   pkg/volume/emptydir/empty_dir.go   setupTmpfs mounts a tmpfs over the volume dir (a tmpfs
#       root is 01777 root:root) and applies SetVolumeOwnership(fsGroup) too (read-write).
#   pkg/volume/volume_linux.go         SetVolumeOwnership / changeFilePermission: nothing when
#       fsGroup is nil; otherwise for every path Lchown(path, -1, fsGroup) (symlinks included,
#       owner kept), and, except for symlinks, chmod(mode | mask) with mask = roMask 0440
#       for a read-only volume (rwMask 0660 otherwise), plus setgid and execMask 0110 on dirs.
#   pkg/kubelet/kuberuntime/security_context.go   determineEffectiveSecurityContext gives the
#       container fsGroup, then supplementalGroups, as supplementary groups (setpriv --groups here).
# So with defaultMode 0440: without fsGroup the files are 0440 root:root (uid 65532 cannot
# read them); with fsGroup G they are 0440 root:G, the dirs 02755/03777 root:G.
#
# Usage: hack/check-secret-mounts.py [--rendered FILE [--expect-denied]] [--adapter PATH] [--show-log]
# Needs root (it chowns to root/fsGroup and switches user with setpriv), kubectl (without
# --rendered), openssl, PyYAML, and a built .build/debug/sysdig-adapter (or SYSDIG_ADAPTER).
# Not root: prints SKIPPED and exits 1, or 0 with ALLOW_SKIP=1.
import argparse
import copy
import datetime
import hashlib
import http.client
import http.server
import os
import re
import shutil
import signal
import socket
import ssl
import stat
import subprocess
import sys
import tempfile
import threading
import time

import yaml

ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), ".."))
DEADLINE = 60.0  # seconds for the adapter to answer /livez (or, negative case, to exit)
RO_MASK, EXEC_MASK = 0o440, 0o110  # volume_linux.go roMask, execMask
TMPFS_ROOT_MODE = 0o1777  # a fresh tmpfs (empty_dir.go setupTmpfs mounts one without mode=)
TS_DIR_MODE = 0o755  # atomic_writer.go newTimestampDir
NESTED_DIR_MODE = 0o755  # atomic_writer.go MkdirAll(os.ModePerm) under kubelet's umask 022
DEFAULT_MODE = 0o644  # SecretVolumeSourceDefaultMode
# Flags whose value is a file the adapter reads, and what the file must hold.
FILE_FLAGS = {
    "--sysdig-token-file": "token",
    "--tls-cert-file": "cert",
    "--tls-private-key-file": "key",
    "--client-ca-file": "cert",
    "--requestheader-client-ca-file": "cert",
}
TEST_ENV = {"CLUSTER_NAME": "test-cluster"}  # SDC_ENDPOINT is set per run
SHOW_LOG = False  # --show-log
READ_ERRORS = re.compile(r"permission denied|cannot be read|cannot read|EACCES|not permitted", re.I)


def fail(message):
    print("check-secret-mounts: FAILED: " + message, file=sys.stderr)
    sys.exit(1)


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def load_rendering(path):
    if path:
        with open(path) as handle:
            return [d for d in yaml.safe_load_all(handle) if d]
    out = subprocess.run(["kubectl", "kustomize", os.path.join(ROOT, "deploy")],
                         check=True, capture_output=True, text=True).stdout
    return [d for d in yaml.safe_load_all(out) if d]


def find_adapter(docs):
    deployments = [d for d in docs if d.get("kind") == "Deployment"
                   and any(c.get("name") == "sysdig-adapter"
                           for c in d["spec"]["template"]["spec"].get("containers", []))]
    if len(deployments) != 1:
        fail("expected one Deployment with a sysdig-adapter container, found %d" % len(deployments))
    deployment = deployments[0]
    pod = deployment["spec"]["template"]["spec"]
    container = next(c for c in pod["containers"] if c["name"] == "sysdig-adapter")
    return deployment, pod, container


def identity(pod, container):
    """uid, gid and supplementary groups the container runtime gives the process."""
    psc, csc = pod.get("securityContext") or {}, container.get("securityContext") or {}
    uid = csc.get("runAsUser", psc.get("runAsUser"))
    gid = csc.get("runAsGroup", psc.get("runAsGroup", 0))
    if uid is None:
        fail("the container sets no runAsUser; the image's user is unknown here")
    groups = []
    if psc.get("fsGroup") is not None:
        groups.append(psc["fsGroup"])
    groups += [g for g in psc.get("supplementalGroups") or [] if g not in groups]
    return uid, gid, groups, psc.get("fsGroup")


def env_and_args(docs, deployment, container, sysdig_url):
    """The container's environment (test values where the cluster would fill them in)
    and its args with $(VAR) expanded as kubelet does ($$ escapes)."""
    configmaps = {(d["metadata"].get("namespace"), d["metadata"]["name"]): d.get("data") or {}
                  for d in docs if d.get("kind") == "ConfigMap"}
    namespace = deployment["metadata"].get("namespace", "default")
    overrides = dict(TEST_ENV, SDC_ENDPOINT=sysdig_url)
    fields = {"metadata.name": "sysdig-adapter-test", "metadata.namespace": namespace,
              "status.podIP": "127.0.0.1", "spec.nodeName": "test-node"}
    env = {}

    def expand(text):
        return re.sub(r"\$\$|\$\(([A-Za-z_][A-Za-z0-9_.-]*)\)",
                      lambda m: "$" if m.group(0) == "$$" else env.get(m.group(1), m.group(0)), text)

    for item in container.get("env") or []:
        name, source = item["name"], item.get("valueFrom") or {}
        if name in overrides:
            env[name] = overrides[name]
        elif "value" in item:
            env[name] = expand(str(item["value"]))
        elif "configMapKeyRef" in source:
            ref = source["configMapKeyRef"]
            env[name] = configmaps.get((namespace, ref["name"]), {}).get(ref["key"], "")
        elif "fieldRef" in source:
            env[name] = fields.get(source["fieldRef"]["fieldPath"], "")
        else:
            env[name] = "test-" + name.lower()
    for name, value in overrides.items():
        env.setdefault(name, value)
    args = [expand(str(a)) for a in (container.get("command") or []) + (container.get("args") or [])]
    return env, args


def split_flag(args, i):
    """(flag, value, consumed) for args[i]: --flag=value or --flag value."""
    arg = args[i]
    if "=" in arg:
        flag, value = arg.split("=", 1)
        return flag, value, 1
    if i + 1 < len(args) and not args[i + 1].startswith("-"):
        return arg, args[i + 1], 2
    return arg, None, 1


def make_cert(workdir):
    """A real self-signed ECDSA P-256 serving certificate for 127.0.0.1."""
    key, crt = os.path.join(workdir, "gen.key"), os.path.join(workdir, "gen.crt")
    subprocess.run(["openssl", "req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256",
                    "-nodes", "-keyout", key, "-out", crt, "-days", "1",
                    "-subj", "/CN=sysdig-adapter.sysdig-metrics.svc",
                    "-addext", "subjectAltName=DNS:sysdig-adapter.sysdig-metrics.svc,IP:127.0.0.1"],
                   check=True, capture_output=True)
    with open(crt, "rb") as c, open(key, "rb") as k:
        return c.read(), k.read()


def project_secret_volume(target, volume, payload, fs_group, stamp):
    """Lays out one Secret volume at `target` as kubelet does (header comment)."""
    source = volume["secret"]
    default_mode = source.get("defaultMode", DEFAULT_MODE)
    files = {}  # path inside the volume -> (data, mode)
    if source.get("items"):
        for item in source["items"]:
            if item["key"] not in payload:
                if source.get("optional"):
                    continue
                fail("volume %s: item key %s is not in the Secret" % (volume["name"], item["key"]))
            files[os.path.normpath(item["path"])] = (payload[item["key"]], item.get("mode", default_mode))
    else:
        files = {key: (data, default_mode) for key, data in payload.items()}

    os.makedirs(target)
    os.chmod(target, TMPFS_ROOT_MODE)
    ts_name = "..%s.%09d" % (stamp, int.from_bytes(os.urandom(4), "big") % 10**9)
    ts_dir = os.path.join(target, ts_name)
    os.mkdir(ts_dir)
    os.chmod(ts_dir, TS_DIR_MODE)
    for path, (data, mode) in files.items():
        full = os.path.join(ts_dir, path)
        parent = os.path.dirname(full)
        if not os.path.isdir(parent):
            os.makedirs(parent)
            walk = parent
            while walk != ts_dir:
                os.chmod(walk, NESTED_DIR_MODE)
                walk = os.path.dirname(walk)
        with open(full, "wb") as handle:
            handle.write(data)
        os.chmod(full, mode)
    os.symlink(ts_name, os.path.join(target, "..data"))
    for top in sorted({p.split(os.sep)[0] for p in files}):
        os.symlink(os.path.join("..data", top), os.path.join(target, top))

    # Owner root (kubelet), group root; then SetVolumeOwnership when fsGroup is set.
    for path in all_paths(target):
        os.lchown(path, 0, 0)
    if fs_group is not None:
        for path in all_paths(target):
            os.lchown(path, -1, fs_group)
            if os.path.islink(path):
                continue  # changeFilePermission skips chmod on symlinks
            mask = RO_MASK | (stat.S_ISGID | EXEC_MASK if os.path.isdir(path) else 0)
            os.chmod(path, stat.S_IMODE(os.lstat(path).st_mode) | mask)
    return files


def all_paths(root):
    """Every path under root, root last, without following symlinks (walkDeep's order)."""
    for entry in os.scandir(root):
        if entry.is_dir(follow_symlinks=False):
            yield from all_paths(entry.path)
        else:
            yield entry.path
    yield root


def describe_tree(target, label):
    lines = []
    for path in sorted(all_paths(target)):
        st = os.lstat(path)
        rel = os.path.relpath(path, target)
        link = " -> " + os.readlink(path) if os.path.islink(path) else ""
        lines.append("      %s %d:%d %s%s" % (stat.filemode(st.st_mode), st.st_uid, st.st_gid,
                                              label if rel == "." else label + "/" + rel, link))
    return "\n".join(lines)


class SysdigStub(http.server.BaseHTTPRequestHandler):
    """Records the bearer tokens the adapter sends. Answers the startup self-check's
    descriptor listing with the example mapping's metric (a quiet log); 503 otherwise."""
    tokens = []

    def do_GET(self):
        auth = self.headers.get("Authorization", "")
        if auth.startswith("Bearer "):
            SysdigStub.tokens.append(auth[len("Bearer "):])
        status, body = 503, b""
        if self.path.startswith("/api/v2/metrics/descriptors"):
            status, body = 200, b'{"metricDescriptors": [{"id": "cpu.used.percent"}]}'
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    do_POST = do_GET

    def log_message(self, *args):
        pass


def run_as(uid, gid, groups, command, **kwargs):
    prefix = ["setpriv", "--reuid=%d" % uid, "--regid=%d" % gid]
    prefix += ["--groups=" + ",".join(str(g) for g in groups)] if groups else ["--clear-groups"]
    prefix += ["--no-new-privs", "--inh-caps=-all", "--bounding-set=-all", "--"]
    return prefix + command


def probe_livez(port):
    """The served certificate (DER) when /livez answers 200, else None."""
    context = ssl.create_default_context()
    context.check_hostname = False
    context.verify_mode = ssl.CERT_NONE
    connection = http.client.HTTPSConnection("127.0.0.1", port, timeout=2, context=context)
    try:
        connection.request("GET", "/livez")
        served = connection.sock.getpeercert(binary_form=True)
        response = connection.getresponse()
        response.read()
        return served if response.status == 200 else None
    except (OSError, ssl.SSLError, http.client.HTTPException):
        return None
    finally:
        connection.close()


def check(docs, adapter, expect_denied, label):
    """One run against a rendering. True when the outcome is the expected one."""
    started = time.monotonic()
    deployment, pod, container = find_adapter(docs)
    uid, gid, groups, fs_group = identity(pod, container)
    print("== %s: uid %d, gid %d, supplementary groups %s (fsGroup %s); expect %s"
          % (label, uid, gid, groups or "none", fs_group, "read denied" if expect_denied else "start"))
    work = tempfile.mkdtemp(prefix="check-secret-mounts.")
    os.chmod(work, 0o755)
    stub = http.server.ThreadingHTTPServer(("127.0.0.1", 0), SysdigStub)
    SysdigStub.tokens = []
    threading.Thread(target=stub.serve_forever, daemon=True).start()
    process = None
    try:
        rootfs = os.path.join(work, "rootfs")
        os.makedirs(rootfs, mode=0o755)
        env, args = env_and_args(docs, deployment, container, "http://127.0.0.1:%d" % stub.server_address[1])
        volumes = {v["name"]: v for v in pod.get("volumes") or []}
        mounts = [(m["mountPath"].rstrip("/"), volumes[m["name"]]) for m in container.get("volumeMounts") or []
                  if "secret" in volumes.get(m["name"], {})]
        if not mounts:
            fail("%s: the container mounts no Secret volume" % label)

        # What each mounted file must hold, from the flags that name it.
        wants = {}  # (mountPath, relative path) -> kind
        for i in range(len(args)):
            flag, value, _ = split_flag(args, i)
            for mount_path, _volume in mounts:
                if value and value.startswith(mount_path + "/"):
                    if flag not in FILE_FLAGS:
                        fail("%s: %s names %s in a Secret volume; add it to FILE_FLAGS" % (label, flag, value))
                    wants[(mount_path, os.path.relpath(value, mount_path))] = FILE_FLAGS[flag]
        cert, key = make_cert(work)
        token = ("test-token-" + os.urandom(8).hex()).encode()
        contents = {"token": token, "cert": cert, "key": key}
        stamp = datetime.datetime.now(datetime.timezone.utc).strftime("%Y_%m_%d_%H_%M_%S")
        projected = []  # host paths of every projected file, for the direct read check
        for mount_path, volume in mounts:
            target = rootfs + mount_path
            os.makedirs(os.path.dirname(target), mode=0o755, exist_ok=True)
            # The Secret's data: the files the flags name (by item path when items map keys).
            items = {os.path.normpath(i["path"]): i["key"] for i in volume["secret"].get("items") or []}
            payload = {}
            for (mp, rel), kind in wants.items():
                if mp == mount_path:
                    payload[items.get(rel, rel)] = contents[kind]
            if "tls.crt" in payload and "tls.key" in payload:
                payload.setdefault("ca.crt", cert)  # a kubernetes.io/tls Secret as cert-manager writes it
            files = project_secret_volume(target, volume, payload, fs_group, stamp)
            projected += [os.path.join(target, p) for p in files]
            print("   secret volume %s (Secret %s, defaultMode %04o) at %s:" % (
                volume["name"], volume["secret"].get("secretName"),
                volume["secret"].get("defaultMode", DEFAULT_MODE), mount_path))
            print(describe_tree(target, mount_path))

        # Args with the mounts remapped, files config instead of the cluster, a local port.
        mappings = os.path.join(work, "mappings")
        os.makedirs(mappings, mode=0o755)
        shutil.copy(os.path.join(ROOT, "crds", "examples", "pod-cpu.yaml"), mappings)
        for root, dirs, names in os.walk(mappings):
            for name in names:
                os.chmod(os.path.join(root, name), 0o644)
        port = free_port()
        run_args, i = [], 0
        while i < len(args):
            flag, value, consumed = split_flag(args, i)
            i += consumed
            if flag in ("--config-source", "--mappings", "--secure-port", "--bind-address", "--kubeconfig"):
                continue
            if value is not None:
                for mount_path, _volume in mounts:
                    if value.startswith(mount_path + "/"):
                        value = rootfs + value
                run_args.append("%s=%s" % (flag, value))
            else:
                run_args.append(flag)
        if not run_args or run_args[0] != "serve":
            fail("%s: the container's args do not start with 'serve': %s" % (label, args))
        run_args += ["--config-source=files", "--mappings=" + mappings,
                     "--bind-address=127.0.0.1", "--secure-port=%d" % port]

        binary = adapter
        if not _traversable(adapter):
            binary = os.path.join(work, "bin", "sysdig-adapter")
            os.makedirs(os.path.dirname(binary), mode=0o755)
            shutil.copy(adapter, binary)
            os.chmod(binary, 0o755)

        # Each projected file, read directly as the container's user.
        readable = {}
        for path in projected:
            result = subprocess.run(run_as(uid, gid, groups, ["cat", path]),
                                    stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
            readable[path] = result.returncode == 0
            print("   read as uid %d: %-40s %s" % (uid, path[len(rootfs):], "ok" if readable[path]
                                                    else result.stderr.strip().replace(rootfs, "")))

        child_env = {"PATH": "/usr/local/bin:/usr/bin:/bin", "HOME": "/nonexistent", **env}
        log_path = os.path.join(work, "adapter.log")
        command = run_as(uid, gid, groups, [binary] + run_args)
        print("   $ " + " ".join(command).replace(rootfs, "$ROOTFS").replace(work, "$WORK"))
        with open(log_path, "wb") as log:
            process = subprocess.Popen(command, stdout=log, stderr=subprocess.STDOUT, env=child_env,
                                       cwd=rootfs, start_new_session=True)
        served_cert, deadline = None, time.monotonic() + DEADLINE
        while time.monotonic() < deadline:
            if process.poll() is not None:
                break
            served_cert = served_cert or probe_livez(port)
            if served_cert and SysdigStub.tokens:
                break
            try:
                process.wait(timeout=0.2)
            except subprocess.TimeoutExpired:
                pass
        exited = process.poll()
        stop_code = None
        if exited is None:
            process.send_signal(signal.SIGTERM)
            grace = pod.get("terminationGracePeriodSeconds", 30)
            try:
                stop_code = process.wait(timeout=grace)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()
                stop_code = "killed after %ss" % grace
        with open(log_path, errors="replace") as handle:
            log_text = handle.read()
        read_errors = [line for line in log_text.splitlines() if READ_ERRORS.search(line)]

        problems = []
        if expect_denied:
            if all(readable.values()):
                problems.append("every projected file is readable by uid %d" % uid)
            if exited is None:
                problems.append("the adapter did not exit within %.0fs" % DEADLINE)
            elif exited == 0:
                problems.append("the adapter exited 0")
            if served_cert:
                problems.append("/livez answered")
            if not read_errors or not any(rootfs in line for line in read_errors):
                problems.append("the log names no unreadable Secret file")
        else:
            for path, ok in readable.items():
                if not ok:
                    problems.append("%s is not readable by uid %d" % (path[len(rootfs):], uid))
            if read_errors:
                problems.append("the log reports read errors")
            if exited is not None:
                problems.append("the adapter exited with %s before answering" % exited)
            else:
                if not served_cert:
                    problems.append("/livez did not answer 200 within %.0fs" % DEADLINE)
                elif served_cert != ssl.PEM_cert_to_DER_cert(cert.decode()):
                    problems.append("the adapter served a certificate other than the projected tls.crt")
                if token.decode() not in SysdigStub.tokens:
                    problems.append("the Sysdig stub never saw the projected token (%d requests)"
                                    % len(SysdigStub.tokens))
                if stop_code != 0:
                    problems.append("SIGTERM: exit %s, expected 0" % stop_code)
        if problems or SHOW_LOG:
            print("   adapter log:\n" + "\n".join("   | " + line.replace(rootfs, "$ROOTFS").replace(work, "$WORK")
                                                  for line in log_text.splitlines()[-40:]))
        elapsed = time.monotonic() - started
        if expect_denied:
            summary = "adapter exited %s: %s" % (
                exited, (read_errors or ["(no read error logged)"])[0].strip().replace(rootfs, "$ROOTFS"))
        else:
            summary = ("/livez 200 on 127.0.0.1:%d with the projected certificate (sha256 %s), Sysdig stub got "
                       "the projected token, SIGTERM -> exit %s" % (
                           port, hashlib.sha256(served_cert).hexdigest()[:16] if served_cert else "-", stop_code))
        if problems:
            print("   FAIL (%.1fs): %s" % (elapsed, "; ".join(problems)))
            return False
        print("   ok (%.1fs): %s" % (elapsed, summary))
        return True
    finally:
        if process is not None and process.poll() is None:
            process.kill()
            process.wait()
        stub.shutdown()
        stub.server_close()
        shutil.rmtree(work, ignore_errors=True)


def _traversable(path):
    """Whether any user may execute `path` (o+x on it and o+x on every parent)."""
    path = os.path.realpath(path)
    if os.stat(path).st_mode & 0o005 != 0o005:
        return False
    parent = os.path.dirname(path)
    while True:
        if not os.stat(parent).st_mode & 0o001:
            return False
        if parent == "/":
            return True
        parent = os.path.dirname(parent)


def main():
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--rendered", help="a rendered install (YAML) to check instead of `kubectl kustomize deploy`")
    parser.add_argument("--expect-denied", action="store_true",
                        help="with --rendered: expect the Secrets to be unreadable and the adapter to fail")
    parser.add_argument("--adapter", default=os.environ.get("SYSDIG_ADAPTER",
                                                            os.path.join(ROOT, ".build/debug/sysdig-adapter")))
    parser.add_argument("--show-log", action="store_true", help="print the adapter's log of every run")
    options = parser.parse_args()
    global SHOW_LOG
    SHOW_LOG = options.show_log
    if options.expect_denied and not options.rendered:
        parser.error("--expect-denied needs --rendered")
    if os.geteuid() != 0:
        print("*** check-secret-mounts: SKIPPED: not root. It needs root to chown the projected files to "
              "root/fsGroup and to switch to the pod's user with setpriv. %s ***"
              % ("ALLOW_SKIP=1: exit 0" if os.environ.get("ALLOW_SKIP") == "1" else "Failing (ALLOW_SKIP=1 allows it)"),
              file=sys.stderr)
        sys.exit(0 if os.environ.get("ALLOW_SKIP") == "1" else 1)
    if not os.path.isfile(options.adapter):
        fail("%s not built (swift build --product sysdig-adapter)" % options.adapter)
    for tool in ("setpriv", "openssl", "cat") + (() if options.rendered else ("kubectl",)):
        if not shutil.which(tool):
            fail(tool + " not found")

    started = time.monotonic()
    docs = load_rendering(options.rendered)
    if options.rendered:
        ok = check(docs, options.adapter, options.expect_denied, options.rendered)
    else:
        ok = check(docs, options.adapter, False, "deploy/ as rendered")
        # The same rendering without fsGroup (the manifest before the fix) must fail.
        stripped = copy.deepcopy(docs)
        _deployment, pod, _container = find_adapter(stripped)
        (pod.get("securityContext") or {}).pop("fsGroup", None)
        with tempfile.NamedTemporaryFile("w", suffix=".yaml", prefix="rendered-no-fsgroup.", delete=False) as f:
            yaml.safe_dump_all(stripped, f, sort_keys=False)
        try:
            ok = check(load_rendering(f.name), options.adapter, True, "deploy/ without fsGroup") and ok
        finally:
            os.unlink(f.name)
    elapsed = time.monotonic() - started
    if not ok:
        fail("see above (%.1fs)" % elapsed)
    print("check-secret-mounts: ok (%.1fs)" % elapsed)


if __name__ == "__main__":
    main()
