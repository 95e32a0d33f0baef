"""Start a kernel forked from a kernel seed (`kernel_seed`), or, failing that, as usual.

Run by path as the kernel's command, in place of the kernel spec's own (`kernel_seed.wrapped`):

    python -I -S kernel_launch.py <seed socket> <the kernel's own command...>

Only the standard library, and no site: this process starts in ~20 ms. It asks the seed to fork a
kernel with this process's environment, working folder and standard streams, and the arguments of
the kernel's own command. It then stands for the kernel towards jupyter_client (which started it and
signals, kills and waits on it): it passes on every signal it receives that the kernel would have,
and it ends when the kernel does. The kernel ends when this process does (`kernel_seed._child`
watches it), so a kill reaches the kernel, as before. Like a kernel started as usual, it ends the
kernel when the process that started it ends (the one `JPY_PARENT_PID` names).

When the seed cannot be reached, refuses or fails, the kernel's own command replaces this process
(`os.execv`): the kernel then starts as it would have without a seed, only ~20 ms later."""

import json
import os
import select
import signal
import socket
import sys

# Signals a kernel started as usual would receive from jupyter_client (an interrupt, a stop, a kill
# is not catchable and needs no passing on: the kernel watches this process).
PASSED_ON = (signal.SIGINT, signal.SIGTERM, signal.SIGHUP, signal.SIGQUIT, signal.SIGUSR1, signal.SIGUSR2)
PID_SUFFIX = ".forked-pid"  # next to the kernel's connection file: the forked kernel's pid
ANSWER = 10  # seconds the seed has to answer before the kernel is started as usual


def _ignored(signum: int) -> bool:
    try:
        return signal.getsignal(signum) == signal.SIG_IGN
    except (OSError, ValueError):
        return False


def ask(path: str, argv: list) -> int:
    """The pid of the kernel the seed at `path` forked for `argv`; raises on anything else."""
    with socket.socket(socket.AF_UNIX, socket.SOCK_STREAM) as connection:
        connection.settimeout(ANSWER)
        connection.connect(path)
        umask = os.umask(0o22)
        os.umask(umask)
        request = {
            "argv": argv,
            "env": dict(os.environ),
            "cwd": os.getcwd(),
            "launcher": os.getpid(),
            "umask": umask,
            "affinity": sorted(os.sched_getaffinity(0)),
            "nice": os.getpriority(os.PRIO_PROCESS, 0),
            # signals this process was started with ignored: a kernel started as usual inherits that
            "ignored": [int(s) for s in signal.valid_signals() if _ignored(s)],
        }
        socket.send_fds(connection, [json.dumps(request).encode()], [0, 1, 2])
        connection.shutdown(socket.SHUT_WR)
        reply = b""
        while True:
            part = connection.recv(65536)
            if not part:
                break
            reply += part
    answer = json.loads(reply.decode()) if reply else {"error": "no answer"}
    pid = answer.get("pid")
    if not isinstance(pid, int) or pid <= 1:
        raise RuntimeError(f"the seed did not fork the kernel: {answer.get('error', reply[:200])}")
    return pid


def main(argv: list) -> None:
    path, command = argv[0], argv[1:]
    try:
        pid = ask(path, command)
        kernel = os.pidfd_open(pid)
    except Exception:  # noqa: BLE001 - no seed to use: the kernel as without one
        os.execv(command[0], command)

    def pass_on(number: int, _frame: object) -> None:
        try:
            signal.pidfd_send_signal(kernel, number)
        except ProcessLookupError:  # the kernel has ended; so does this process, at once
            pass

    for signum in PASSED_ON:
        signal.signal(signum, pass_on)
    # The kernel's own process, for the run that started this one (its memory: `pipeline.kernel_pid`)
    if "-f" in command[:-1]:
        try:
            with open(command[command.index("-f") + 1] + PID_SUFFIX, "w", encoding="utf-8") as file:
                file.write(str(pid))
        except OSError:
            pass
    watched = [kernel]
    parent = os.environ.get("JPY_PARENT_PID", "")
    if parent.isdigit() and int(parent) == os.getppid() and int(parent) > 1:
        try:
            watched.append(os.pidfd_open(int(parent)))
        except OSError:  # already gone
            signal.pidfd_send_signal(kernel, signal.SIGKILL)
            sys.exit(1)
    ready = select.select(watched, [], [])[0]
    if kernel not in ready:  # the process that started the kernel has ended: so does the kernel
        signal.pidfd_send_signal(kernel, signal.SIGKILL)
        sys.exit(1)


if __name__ == "__main__":
    main(sys.argv[1:])
