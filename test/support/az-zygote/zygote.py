# A "zygote" for Debian's az 2.45: a /usr/bin/python3 that has imported, once, the libraries every az command
# imports (pkg_resources, requests, msal, azure-core, the azure-mgmt-* SDKs: most of az's second of start-up),
# then forks one child per command. Each child is a fresh copy of that process: it takes the caller's stdin,
# stdout and stderr (passed over the Unix socket), argv, environment and working directory, applies what
# /usr/bin/az applies (PYTHONPATH, AZ_INSTALLER=DEB), and runs az's own entry point, runpy.run_module('azure.cli'),
# exactly as /usr/bin/az does; the exit code goes back to the caller. Of azure.cli and knack only what reads
# nothing but HOME at import (knack, azure.cli.core's package module) is imported before the fork; the rest (which
# reads AZURE_CONFIG_DIR and the config files at import) in the child, so each command initialises az from its
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
# The same zygote serves the tests' Python scripts (`--python`): preloaded with the Azure SDKs and python3-kubernetes
# the scripts import, it forks one child per `/usr/bin/python3 FILE ARGS...` or `/usr/bin/python3 -c CODE ARGS...`,
# which runs the script as Python runs a script (its argv, sys.path[0], a fresh __main__), from the caller's
# environment, working directory and stdio.
#
# Which environment variables the preload read (os.environ, watched while it runs) is part of the zygote's key too,
# except the few whose value a child takes from its own environment again (KUBECONFIG's default, the temp dir), or
# which only found a program (PATH, for `uname`), so that no module holds a value of the zygote's environment that
# the caller's would have changed.
#
#   /usr/bin/python3 zygote.py SOCKET             az; prints "ready" when it accepts; exits when its stdin closes.
#   /usr/bin/python3 zygote.py --python SOCKET    Python scripts; the same.
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
    # knack and the package module of azure.cli.core (which imports knack's modules and local_context): their import
    # reads HOME (knack's default config dir), part of the key, and nothing else; azure.cli.core's submodules read
    # AZURE_CONFIG_DIR and the config file (_config, cloud, _profile...): the child imports those
    'knack', 'azure.cli.core',
]
# For the tests' Python scripts (test/support/python and the kube tests' inline ones): azure-identity, the mgmt SDKs
# and the api-versions their clients load, python3-kubernetes.
PRELOAD_PYTHON = [
    'json', 'base64', 'ssl', 'uuid', 'tempfile', 'requests', 'urllib3', 'certifi', 'msal', 'yaml', 'dateutil.parser',
    'azure.core', 'azure.core.pipeline', 'azure.core.pipeline.policies', 'azure.core.pipeline.transport',
    'azure.core.pipeline.transport._requests_basic', 'azure.core.polling', 'azure.core.polling.base_polling',
    'azure.core.exceptions', 'azure.core.paging', 'azure.core.rest', 'azure.core.credentials',
    'azure.mgmt.core', 'azure.mgmt.core.polling.arm_polling', 'azure.mgmt.core.policies', 'azure.identity',
    'azure.identity._credentials.client_secret', 'azure.identity._internal.msal_client', 'isodate', 'msrest',
    'azure.mgmt.resource', 'azure.mgmt.resource.resources', 'azure.mgmt.resource.resources.v2022_09_01',
    'azure.mgmt.authorization', 'azure.mgmt.resourceconnector', 'azure.mgmt.extendedlocation',
    'azure.mgmt.kubernetesconfiguration', 'azure.mgmt.hybridkubernetes',
    'kubernetes', 'kubernetes.client', 'kubernetes.config', 'kubernetes.watch', 'kubernetes.dynamic',
]
PYTHON_MODE = len(sys.argv) > 1 and sys.argv[1] == '--python'
ZYGOTE_HOME = os.environ.get('HOME')


# Read by Python before any import (site, the encodings of stdio, the import path): the zygote's identity, with the
# variables the preload read (WATCHED). A Python script's child may have another HOME (become() checks what Python's
# start would have done with it); az's reads its config from HOME.
WATCHED = {}  # variable -> its value when the preload read it (None: unset)
# read by the preload, but taken again by each child from its own environment (renew()), or only to find a program
RENEWED = ('PATH', 'KUBECONFIG', 'TMPDIR', 'TEMP', 'TMP')


def key(env):
    fixed = ('LANG',) if PYTHON_MODE else ('HOME', 'LANG')
    own = sorted((k, v) for k, v in env.items() if k.startswith(('PYTHON', 'LC_')) or k in fixed)
    watched = sorted((k, env.get(k)) for k in WATCHED if not k.startswith(('PYTHON', 'LC_')) and k not in fixed and k not in RENEWED and k != 'HOME')
    return own, watched


def watch_environ():
    """Records the variables read from os.environ (os.getenv, .get, `in`, [...]) until the returned function is called."""
    cls = type(os.environ)
    get, it = cls.__getitem__, cls.__iter__

    def getitem(self, k):
        try:
            v = get(self, k)
        except KeyError:
            if self is os.environ:
                WATCHED.setdefault(k, None)
            raise
        if self is os.environ:
            WATCHED.setdefault(k, v)
        return v

    def iterate(self):  # a module that walks the whole environment: all of it is then the key
        if self is os.environ:
            for k in list(self._data):
                WATCHED.setdefault(self.decodekey(k), self.decodevalue(self._data[k]))
        return it(self)

    cls.__getitem__, cls.__iter__ = getitem, iterate

    def stop():
        cls.__getitem__, cls.__iter__ = get, it
    return stop


def renew(env):
    """In a child: the values the preload took from the zygote's environment (or its start), taken again."""
    tf = sys.modules.get('tempfile')
    if tf is not None:
        tf.tempdir = None  # gettempdir() reads TMPDIR/TEMP/TMP again on its next call
    lg = sys.modules.get('logging')
    if lg is not None and hasattr(lg, '_startTime'):  # the process's start, for a record's relativeCreated
        import time
        lg._startTime = time.time_ns() if isinstance(lg._startTime, int) else time.time()
    kc = sys.modules.get('kubernetes.config.kube_config')
    if kc is not None and hasattr(kc, 'KUBE_CONFIG_DEFAULT_LOCATION'):
        kc.KUBE_CONFIG_DEFAULT_LOCATION = env.get('KUBECONFIG', '~/.kube/config')


def preload():
    import importlib
    for name in (PRELOAD_PYTHON if PYTHON_MODE else PRELOAD):
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


def run_script(args):
    """`python3 FILE ARGS...` or `python3 -c CODE ARGS...` as Python runs them: sys.argv, sys.path[0] (the script's
    folder, symbolic links resolved, or '' for -c), a fresh __main__ (with __file__ the script's absolute path)."""
    import importlib.machinery
    import types
    main = types.ModuleType('__main__')
    main.__builtins__ = __builtins__
    sys.argv = list(args)
    if args[0] == '-c':
        sys.argv = ['-c'] + list(args[2:])
        sys.path[0] = ''
        main.__loader__ = importlib.machinery.BuiltinImporter
        code = compile(args[1], '<string>', 'exec')
    else:
        file = os.path.abspath(args[0])
        sys.path[0] = os.path.dirname(os.path.realpath(args[0]))
        with open(file, 'rb') as f:
            source = f.read()
        main.__file__ = file
        main.__cached__ = None
        main.__loader__ = importlib.machinery.SourceFileLoader('__main__', file)
        code = compile(source, file, 'exec')
    sys.modules['__main__'] = main
    exec(code, main.__dict__)


def _theirs(tb):
    """A traceback without this file's frames at its head, as Python prints one for the script (or az) itself."""
    while tb is not None and tb.tb_frame.f_code.co_filename == __file__:
        tb = tb.tb_next
    return tb


def run(main):
    """main() (runpy.run_module('azure.cli') as /usr/bin/az runs it, or a script), and the end of a Python process as Python ends it
    (non-daemon threads joined, atexit functions run, stdout and stderr flushed, SystemExit's code as the exit
    status), except that the memory is left to the kernel: freeing, at exit, every object the command inherited
    would copy each page of the zygote into it (a third of a command's page faults)."""
    import threading
    import atexit
    code = 0
    interrupted = False
    try:
        main()
    except SystemExit as e:
        code = e.code
    except KeyboardInterrupt as e:
        e.__traceback__ = _theirs(e.__traceback__)  # what the hook prints
        sys.excepthook(type(e), e, e.__traceback__)
        interrupted = True
    except BaseException as e:
        e.__traceback__ = _theirs(e.__traceback__)
        sys.excepthook(type(e), e, e.__traceback__)
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
    if log:  # the zygote's own start (the preload): ["zygote", "az" or "python", user, system]
        with open(log, 'a') as f:
            t = os.times()
            f.write(json.dumps(['zygote', 'python' if PYTHON_MODE else 'az', round(t.user, 3), round(t.system, 3)]) + '\n')
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
                why = 'no stdio' if len(fds) != 3 else 'environment differs from the zygote\'s (PYTHON*, HOME, LANG, LC_*, what the preload read)' if key(req['env']) != mine else refusal(req)
                if why:
                    for fd in fds:
                        os.close(fd)
                    reply(conn, {'refused': why})
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


def user_site(home):
    """The user site-packages folder Python's start puts on sys.path for this HOME (when it exists)."""
    import site
    if not site.ENABLE_USER_SITE or os.environ.get('PYTHONUSERBASE'):  # PYTHONUSERBASE: part of the key
        return None
    v = sys.version_info
    return os.path.join(home or '~', '.local', 'lib', f'python{v[0]}.{v[1]}', 'site-packages')


def refusal(req):
    """Why this request cannot be a fork of this zygote (then the client starts the real program), or None."""
    if not PYTHON_MODE:
        return None
    args = req['args']
    # `python3 FILE ARGS...` or `python3 -c CODE ARGS...`: any interpreter option would change the start
    if not args or (args[0].startswith('-') and (args[0] != '-c' or len(args) < 2)):
        return 'only `python3 FILE ...` and `python3 -c CODE ...` are forked'
    if args[0] != '-c' and not os.path.isfile(os.path.join(req['cwd'], args[0])):
        return 'no such file'  # Python's own message, from Python
    home = req['env'].get('HOME')
    if home != os.environ.get('HOME'):
        # another HOME changes Python's start only through the user site-packages: when neither folder exists,
        # sys.path is the same
        sites = [user_site(home), user_site(os.environ.get('HOME'))]
        if any(d is None or os.path.isdir(d) for d in sites):
            return 'another HOME, with a user site-packages folder'
    return None


def become(req, fds):
    """The child: the caller's process image from here on, as /usr/bin/az (or /usr/bin/python3) would start it."""
    os.setpgid(0, 0)  # its own group, so a timeout kills the command and whatever it started
    for i, fd in enumerate(fds):
        if fd != i:
            os.dup2(fd, i)
            os.close(fd)
    os.chdir(req['cwd'])
    env = dict(req['env'])
    if not PYTHON_MODE:  # /usr/bin/az's own lines
        src = os.path.join(os.path.dirname(os.path.realpath(AZ)), 'src')
        env['PYTHONPATH'] = src if env.get('PYTHONPATH') is None else os.pathsep.join([src, env['PYTHONPATH']])
        env['AZ_INSTALLER'] = 'DEB'
    os.environ.clear()
    os.environ.update(env)
    renew(env)
    if PYTHON_MODE and env.get('HOME') != ZYGOTE_HOME:  # what site and sysconfig computed from HOME at start-up
        import site
        import sysconfig
        site.USER_BASE = site.USER_SITE = None
        site.getusersitepackages()
        if getattr(sysconfig, '_CONFIG_VARS', None) and 'userbase' in sysconfig._CONFIG_VARS:
            sysconfig._CONFIG_VARS['userbase'] = site.USER_BASE
    sys.argv = [AZ] + list(req['args'])
    # the interpreter's own command line, as `/usr/bin/az ARGS` (its shebang) or `/usr/bin/python3 ARGS` gives it
    sys.orig_argv = sys.orig_argv[:1] + ([] if PYTHON_MODE else [AZ]) + list(req['args'])
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
    unwatch = watch_environ()
    preload()
    unwatch()
    if not PYTHON_MODE:
        precompile()
    gc.freeze()
    gc.enable()
    request, passed = serve(sys.argv[-1])
    del preload, precompile, serve, recv_request
    become(request, passed)
    if PYTHON_MODE:
        run(lambda: run_script(request['args']))
    else:
        import runpy
        run(lambda: runpy.run_module('azure.cli'))
