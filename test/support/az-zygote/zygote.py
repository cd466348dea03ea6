# A "zygote" for Debian's az 2.45: a /usr/bin/python3 that has imported, once, the libraries every az command
# imports (pkg_resources, requests, msal, azure-core, the azure-mgmt-* SDKs: most of az's second of start-up),
# then forks one child per command. Each child is a fresh copy of that process: it takes the caller's stdin,
# stdout and stderr (passed over the Unix socket), argv, environment and working directory, applies what
# /usr/bin/az applies (PYTHONPATH, AZ_INSTALLER=DEB), and runs az's own entry point, runpy.run_module('azure.cli'),
# exactly as /usr/bin/az does; the exit code goes back to the caller. Nothing of azure.cli or knack is imported
# before the fork (they read AZURE_CONFIG_DIR and HOME at import time), so each command initialises az from its
# own environment, and no state of one command can reach another: each is a separate process.
#
# What else the zygote does so that a fork costs little (about 0.05 s of CPU against 0.4 s before, and 1 s for
# /usr/bin/az): its objects are frozen out of the cyclic GC (gc.freeze, so a child's collections do not walk, and
# copy, the preloaded heap); the code objects of az's own packages and of the command modules the tests use are
# read from their .pyc in advance (not executed: the child still imports them); a child ends as Python ends
# (threads joined, atexit run, streams flushed, the same exit status) without freeing the memory it inherited.
#
# Only libraries whose import does not depend on the caller's environment are preloaded; what Python itself
# reads at start-up (PYTHON*, HOME, LANG/LC_*) is the zygote's key: a request whose values differ is refused and
# the client runs /usr/bin/az itself.
#
#   /usr/bin/python3 zygote.py SOCKET    prints "ready" when it accepts; exits when its stdin closes.
#   ARM_EMULATOR_AZ_ZYGOTE_LOG=FILE      (the zygote's environment) appends one line per command: its user and
#                                        system CPU seconds, minor page faults, exit status and arguments.
import gc
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


# az's own packages and the command modules the tests run (aks, group/deployment/resource, rest, login/account,
# role/ad, cloud, identity): their code objects are read (and unmarshalled from their .pyc) once, in the zygote.
# Nothing of them is executed there: the child imports them as usual, from its own environment; only the reading
# of each module's compiled code is skipped when the source file is still the one that was read.
PRECOMPILE = ['knack', 'azure.cli', 'azure.cli.core', 'azure.cli.command_modules.acs', 'azure.cli.command_modules.resource',
              'azure.cli.command_modules.util', 'azure.cli.command_modules.profile', 'azure.cli.command_modules.role',
              'azure.cli.command_modules.cloud', 'azure.cli.command_modules.identity']


def precompile():
    """A finder, just before Python's own path finder, that gives these packages' modules their code read in advance."""
    import importlib.machinery as m

    codes = {}  # source path -> (mtime_ns, size, code object)
    def locate(name):  # where the path finder would find the package, without importing (running) any of it
        parts = name.split('.')
        loaded = sys.modules.get(parts[0])
        if loaded is not None and hasattr(loaded, '__path__'):
            where = list(loaded.__path__)
        else:
            spec = m.PathFinder.find_spec(parts[0])
            where = list(spec.submodule_search_locations or []) if spec else []
        for i in range(1, len(parts)):
            spec = m.PathFinder.find_spec('.'.join(parts[: i + 1]), where)
            where = list(spec.submodule_search_locations or []) if spec else []
        return where

    dirs = [(name, locate(name)) for name in PRECOMPILE]
    top = {'azure.cli'}  # only the package's own files: its other command modules are left alone
    for name, locations in dirs:
        for base in locations:
            for root, subdirs, files in os.walk(base):
                if name in top:
                    subdirs[:] = []
                subdirs[:] = [d for d in subdirs if d != '__pycache__' and d != 'tests']
                for f in files:
                    if not f.endswith('.py'):
                        continue
                    path = os.path.join(root, f)
                    try:
                        st = os.stat(path)
                        code = m.SourceFileLoader(name, path).get_code(name)
                    except Exception:  # left to the usual import, which reports it as usual
                        continue
                    codes[path] = (st.st_mtime_ns, st.st_size, code)
    if not codes:
        return

    class ReadLoader(m.SourceFileLoader):
        def get_code(self, fullname):
            got = codes.get(self.path)
            if got is not None:
                try:
                    st = os.stat(self.path)
                except OSError:
                    st = None
                if st is not None and (st.st_mtime_ns, st.st_size) == got[:2]:
                    return got[2]
            return super().get_code(fullname)

    class ReadFinder:
        @staticmethod
        def find_spec(fullname, path=None, target=None):
            if not fullname.startswith(('azure.cli', 'knack')):
                return None
            spec = m.PathFinder.find_spec(fullname, path, target)
            if spec is not None and type(spec.loader) is m.SourceFileLoader and spec.origin in codes:
                spec.loader = ReadLoader(spec.loader.name, spec.loader.path)
            return spec

        @staticmethod
        def invalidate_caches():
            pass

    at = next((i for i, f in enumerate(sys.meta_path) if f is m.PathFinder), len(sys.meta_path))
    sys.meta_path.insert(at, ReadFinder)


def run_az():
    """runpy.run_module('azure.cli') as /usr/bin/az runs it, and the end of a Python process as Python ends it
    (non-daemon threads joined, atexit functions run, stdout and stderr flushed, SystemExit's code as the exit
    status), except that the memory is left to the kernel: freeing, at exit, every object the command inherited
    would copy each page of the zygote into it (a third of a command's page faults)."""
    import runpy
    import threading
    import atexit
    code = 0
    interrupted = False
    try:
        runpy.run_module('azure.cli')
    except SystemExit as e:
        code = e.code
    except KeyboardInterrupt:
        sys.excepthook(*sys.exc_info())
        interrupted = True
    except BaseException:
        sys.excepthook(*sys.exc_info())
        code = 1
    if code is None:
        code = 0
    elif not isinstance(code, int):
        try:
            sys.stderr.write(f'{code}\n')
        except Exception:
            pass
        code = 1
    try:
        threading._shutdown()
    except BaseException:
        pass
    atexit._run_exitfuncs()
    for stream in (sys.stdout, sys.stderr):
        try:
            if stream is not None and not stream.closed:
                stream.flush()
        except Exception as e:  # as Python reports it, and its exit status then (e.g. a reader that went away)
            if stream is sys.stdout:
                try:
                    import traceback
                    sys.stderr.write(f'Exception ignored in: {stream!r}\n')
                    traceback.print_exception(e)
                except Exception:
                    pass
            code = 120
    if interrupted:  # as Python does for an uncaught KeyboardInterrupt: die of SIGINT
        signal.signal(signal.SIGINT, signal.SIG_DFL)
        os.kill(os.getpid(), signal.SIGINT)
    os._exit(code & 0xFF)


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
    # Everything the zygote holds is frozen out of the cyclic GC (Python's recipe for fork servers): a child's
    # collections then scan only what the command itself allocates, instead of the ~100 MB of preloaded objects
    # on every full collection (about 0.25 s of a command's CPU, and a copy-on-write fault for each page touched).
    gc.disable()
    preload()
    precompile()
    gc.freeze()
    gc.enable()
    request, passed = serve(sys.argv[1])
    del preload, precompile, serve, recv_request
    become(request, passed)
    run_az()
