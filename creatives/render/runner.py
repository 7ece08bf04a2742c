"""Run one long ffmpeg job with progress (``-progress pipe:1``) and a hard timeout."""

from __future__ import annotations

import logging
import subprocess
import threading
import time
from collections import deque
from collections.abc import Callable
from pathlib import Path

from creatives.media import MediaError, ffmpeg_exe

log = logging.getLogger(__name__)

# A render that ffmpeg itself crashes on (killed by a signal, e.g. SIGSEGV under memory or
# thread pressure) is run once more: the same arguments write the same file, and a video job
# that fails for a crash it would not repeat costs a marketer a manual retry. An ordinary error
# exit (bad input, bad filter) is not retried: it would fail the same way again.
CRASH_ATTEMPTS = 2


def ffmpeg_run(args: list[str], *, cwd: Path, total_s: float, on_progress: Callable[[float], None], timeout_s: float) -> None:
    """Run ffmpeg; ``on_progress`` gets the fraction of ``total_s`` written so far (0–1).

    Raises MediaError with the tail of ffmpeg's stderr on failure or timeout. A run that ffmpeg
    dies of a signal in is repeated once within the same ``timeout_s``.
    """
    deadline = time.monotonic() + timeout_s
    for attempt in range(1, CRASH_ATTEMPTS + 1):
        returncode, tail, timed_out = _run_once(args, cwd=cwd, total_s=total_s, on_progress=on_progress,
                                                timeout_s=deadline - time.monotonic())
        if timed_out:
            raise MediaError(f"ffmpeg timed out after {timeout_s:.0f}s\n{tail}")
        if returncode == 0:
            return
        crashed = returncode < 0
        if not crashed or attempt == CRASH_ATTEMPTS or deadline - time.monotonic() < 1.0:
            break
        log.warning("ffmpeg crashed (exit %s), rendering once more: %s", returncode, tail[-500:])
    raise MediaError(f"ffmpeg could not render the video (exit {returncode})\n{tail}")


def _run_once(args: list[str], *, cwd: Path, total_s: float, on_progress: Callable[[float], None],
              timeout_s: float) -> tuple[int, str, bool]:
    """One ffmpeg process: (return code, stderr tail, timed out)."""
    cmd = [ffmpeg_exe(), "-hide_banner", "-nostdin", "-v", "error", "-nostats", "-progress", "pipe:1", *args]
    try:
        proc = subprocess.Popen(cmd, cwd=cwd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, errors="replace")
    except OSError as exc:
        raise MediaError(f"cannot run ffmpeg: {exc}") from exc
    stderr: deque[str] = deque(maxlen=20)
    # stderr is drained by a thread so a chatty ffmpeg never blocks on a full pipe.
    reader = threading.Thread(target=lambda: stderr.extend(proc.stderr), daemon=True)
    reader.start()
    timed_out = threading.Event()

    def kill() -> None:
        timed_out.set()
        proc.kill()

    timer = threading.Timer(max(1.0, timeout_s), kill)
    timer.start()
    try:
        for line in proc.stdout:
            key, _, value = line.strip().partition("=")
            if key == "out_time_us" and value.lstrip("-").isdigit() and total_s > 0:
                on_progress(min(1.0, max(0.0, int(value) / 1e6 / total_s)))
        proc.wait()
    except BaseException:
        proc.kill()
        proc.wait()
        raise
    finally:
        timer.cancel()
        reader.join(timeout=5)
    return proc.returncode, "".join(stderr).strip(), timed_out.is_set()
