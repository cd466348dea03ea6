# A "zygote" for Debian's az 2.45: a /usr/bin/python3 that has imported, once, the libraries every az command
# imports (pkg_resources, requests, msal, azure-core, the azure-mgmt-* SDKs: most of az's second of start-up),
# then forks one child per command. Each child is a fresh copy of that process: it takes the caller's stdin,
# stdout and stderr (passed over the Unix socket), argv, environment and working directory, applies what
# /usr/bin/az applies (PYTHONPATH, AZ_INSTALLER=DEB), and runs az's own entry point, runpy.run_module('azure.cli'),
# exactly as /usr/bin/az does; the exit code goes back to the caller. Nothing of azure.cli or knack is imported
# before the fork (they read AZURE_CONFIG_DIR and HOME at import time), so each command initialises az from its
# own environment, and no state of one command can reach another: each is a separate process.
#
# Only libraries whose import does not depend on the caller's environment are preloaded; what Python itself
# reads at start-up (PYTHON*, HOME, LANG/LC_*) is the zygote's key: a request whose values differ is refused and
# the client runs /usr/bin/az itself.
#
#   /usr/bin/python3 zygote.py SOCKET    prints "ready" when it accepts; exits when its stdin closes.
#   ARM_EMULATOR_AZ_ZYGOTE_LOG=FILE      (the zygote's environment) appends one line per command: its user and
#                                        system CPU seconds, minor page faults, exit status and arguments.
import json
import os
import selectors
import signal
import socket
import struct
import sys

AZ = '/usr/bin/az'
PRELOAD = [
    'pkg_resources', 'argparse', 'asyncio', 'configparser', 'json', 'logging.handlers', 'ssl', 'uuid', 'timeit',
    'requests', 'requests_oauthlib', 'urllib3', 'oauthlib', 'certifi', 'chardet', 'charset_normalizer', 'idna',
    'msal', 'msal_extensions', 'portalocker', 'msrest', 'msrestazure', 'isodate', 'dateutil.parser', 'dateutil.tz',
    'jmespath', 'yaml', 'colorama', 'humanfriendly', 'pkginfo', 'semver', 'six', 'argcomplete', 'packaging.version',
    'azure.common', 'azure.core', 'azure.core.pipeline', 'azure.core.pipeline.policies', 'azure.core.polling',
    'azure.core.rest', 'azure.core.exceptions', 'azure.core.tracing.decorator', 'azure.mgmt.core',
    'azure.mgmt.core.polling.arm_polling', 'azure.profiles', 'azure.profiles.multiapiclient',
    'azure.mgmt.resource', 'azure.mgmt.resource.resources', 'azure.mgmt.resource.subscriptions',
    'azure.mgmt.resource.resources.v2022_09_01', 'azure.mgmt.resource.resources.v2021_04_01',
    'azure.mgmt.resource.subscriptions.v2021_01_01', 'azure.mgmt.resource.subscriptions.v2019_11_01',
    'azure.mgmt.resource.features.v2021_07_01', 'azure.mgmt.resource.locks.v2016_09_01',
    'azure.mgmt.resource.policy.v2021_06_01', 'azure.mgmt.resource.managedapplications.v2018_06_01',
    'azure.mgmt.containerservice', 'azure.mgmt.authorization', 'azure.mgmt.msi',
    'applicationinsights', 'psutil',  # az's telemetry module imports them on every run
    'msrestazure.azure_exceptions', 'unittest.mock', 'multiprocessing', 'difflib', 'webbrowser', 'getpass', 'netrc',
    'humanfriendly.terminal.spinners', 'humanfriendly.usage',
    # the api-versions of az 2.45's default ('latest') and 2020-09-01-hybrid profiles for what the tests run most
    'azure.mgmt.containerservice.v2022_11_01', 'azure.mgmt.containerservice.v2020_11_01',
    'azure.mgmt.resource.resources.v2019_10_01', 'azure.mgmt.resource.templatespecs',
    'azure.mgmt.authorization.v2015_07_01', 'azure.mgmt.authorization.v2020_04_01_preview',
    'azure.mgmt.authorization.v2022_04_01', 'azure.mgmt.msi.v2018_11_30', 'azure.mgmt.msi.v2022_01_31_preview',
]
# Read by Python before any import (site, the encodings of stdio, the import path): the zygote's identity.
def key(env):
    return sorted((k, v) for k, v in env.items() if k.startswith(('PYTHON', 'LC_')) or k in ('HOME', 'LANG'))


def preload():
    import importlib
    for name in PRELOAD:
        try:
            importlib.import_module(name)
        except Exception:  # an optional module missing costs its time in the child, nothing else
            pass


def recv_request(conn):
    conn.settimeout(10)
    head, fds, _, _ = socket.recv_fds(conn, 4, 3)
    while len(head) < 4:
        more = conn.recv(4 - len(head))
        if not more:
            raise EOFError
        head += more
    (n,) = struct.unpack('!I', head)
    body = b''
    while len(body) < n:
        more = conn.recv(n - len(body))
        if not more:
            raise EOFError
        body += more
    conn.settimeout(None)
    return json.loads(body), fds


def serve(path):
    """Accepts requests and forks; returns only in a child, with its request."""
    mine = key(os.environ)
    listener = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    listener.bind(path)
    listener.listen(64)
    wake_r, wake_w = os.pipe()
    os.set_blocking(wake_r, False)
    os.set_blocking(wake_w, False)
    signal.set_wakeup_fd(wake_w)
    signal.signal(signal.SIGCHLD, lambda *_: None)
    sel = selectors.DefaultSelector()
    sel.register(listener, selectors.EVENT_READ, 'accept')
    sel.register(0, selectors.EVENT_READ, 'stdin')
    sel.register(wake_r, selectors.EVENT_READ, 'child')
    children = {}  # pid -> connection to its client (None once the client has gone)
    log = os.environ.get('ARM_EMULATOR_AZ_ZYGOTE_LOG')
    args = {}  # pid -> the command's arguments, for the log
    sys.stdout.write('ready\n')
    sys.stdout.flush()

    def reply(conn, msg):
        try:
            conn.sendall((json.dumps(msg) + '\n').encode())
        except OSError:
            pass

    while True:
        for k, _ in sel.select():
            what = k.data
            if what == 'accept':
                conn, _ = listener.accept()
                fds = []
                try:
                    req, fds = recv_request(conn)
                except Exception as e:  # a broken client: refuse it, keep serving
                    for fd in fds:
                        os.close(fd)
                    reply(conn, {'refused': f'bad request: {e}'})
                    conn.close()
                    continue
                if len(fds) != 3 or key(req['env']) != mine:
                    for fd in fds:
                        os.close(fd)
                    reply(conn, {'refused': 'environment differs from the zygote\'s (PYTHON*, HOME, LANG, LC_*)'})
                    conn.close()
                    continue
                pid = os.fork()
                if pid == 0:
                    sel.close()
                    listener.close()
                    for c in children.values():
                        if c is not None:
                            c.close()
                    conn.close()
                    signal.set_wakeup_fd(-1)
                    signal.signal(signal.SIGCHLD, signal.SIG_DFL)
                    os.close(wake_r)
                    os.close(wake_w)
                    return req, fds
                for fd in fds:
                    os.close(fd)
                children[pid] = conn
                if log:
                    args[pid] = req['args']
                sel.register(conn, selectors.EVENT_READ, ('client', pid))
            elif what == 'child':
                try:
                    while os.read(wake_r, 512):
                        pass
                except BlockingIOError:
                    pass
                while children:
                    try:
                        pid, status, usage = os.wait4(-1, os.WNOHANG)
                    except ChildProcessError:
                        break
                    if pid == 0:
                        break
                    conn = children.pop(pid, None)
                    if log:
                        with open(log, 'a') as f:
                            f.write(json.dumps([round(usage.ru_utime, 3), round(usage.ru_stime, 3), usage.ru_minflt, status, args.pop(pid, None)]) + '\n')
                    if conn is not None:
                        sel.unregister(conn)
                        sig = os.WTERMSIG(status) if os.WIFSIGNALED(status) else 0
                        cpu = round(usage.ru_utime + usage.ru_stime, 3)  # for measurements: the command's CPU seconds
                        reply(conn, {'signal': sig, 'cpu': cpu} if sig else {'exit': os.waitstatus_to_exitcode(status), 'cpu': cpu})
                        conn.close()
            elif what == 'stdin':
                if not os.read(0, 4096):  # the test process has gone: so have its commands
                    for pid in children:
                        try:
                            os.killpg(pid, signal.SIGKILL)
                        except OSError:
                            pass
                    os._exit(0)
            else:  # the client spoke or went away (its caller's timeout): its command dies with it
                pid = what[1]
                conn = children.get(pid)
                sel.unregister(conn)
                conn.close()
                children[pid] = None
                try:
                    os.killpg(pid, signal.SIGKILL)
                except OSError:
                    pass


def become(req, fds):
    """The child: the caller's process image from here on, as /usr/bin/az would start it."""
    os.setpgid(0, 0)  # its own group, so a timeout kills the command and whatever it started
    for i, fd in enumerate(fds):
        if fd != i:
            os.dup2(fd, i)
            os.close(fd)
    os.chdir(req['cwd'])
    env = dict(req['env'])
    # /usr/bin/az's own lines
    src = os.path.join(os.path.dirname(os.path.realpath(AZ)), 'src')
    env['PYTHONPATH'] = src if env.get('PYTHONPATH') is None else os.pathsep.join([src, env['PYTHONPATH']])
    env['AZ_INSTALLER'] = 'DEB'
    os.environ.clear()
    os.environ.update(env)
    sys.argv = [AZ] + list(req['args'])
    # Python picks line buffering for a terminal at start-up
    sys.stdout.reconfigure(line_buffering=os.isatty(1))
    if 'multiprocessing.process' in sys.modules:  # the one preloaded value taken from the working directory
        sys.modules['multiprocessing.process'].ORIGINAL_DIR = os.path.abspath(os.getcwd())


if __name__ == '__main__':
    sys.path[0] = os.path.dirname(os.path.realpath(AZ))  # what sys.path[0] is for /usr/bin/az
    preload()
    request, passed = serve(sys.argv[1])
    del preload, serve, recv_request
    become(request, passed)
    import runpy
    runpy.run_module('azure.cli')
