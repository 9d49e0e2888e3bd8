"""Device waits off the UI thread: one job at a time runs in a worker while the main loop draws its progress.

A job is a register call that may wait for a device (a card terminal, ОПЛАТИ, printing a
long report). It runs in a worker thread; its progress and its end come back through
`App.queue`. While it runs the main loop shows a frozen picture of the screen under the
progress sheet and never asks the register anything (SQLite objects are used from one
thread at a time): the one thing a tap can do is the sheet's «Отмена».
"""
from __future__ import annotations

import logging
import queue as queue_mod
import threading
from collections.abc import Callable
from dataclasses import dataclass

import pygame

from screens.dialogs import Progress
from texts.errors import CodedError

log = logging.getLogger("zpos.screens")




@dataclass
class Job:
    fn: Callable[[Callable[[object], None]], object]
    on_done: Callable[[object], None] | None
    on_fail: Callable[[CodedError], None] | None
    retry: bool
    cancel: Callable[[], None] | None
    title: str
    cancelled: bool = False
    result: object = None
    error: BaseException | None = None


class JobsMixin:
    """Mixin of screens.app.App: `work(...)` starts a job; `step_busy` is the main loop's step while it runs."""

    job: Job | None = None
    _frozen: pygame.Surface | None = None
    _deferred: list

    def work(self, fn: Callable[[Callable[[object], None]], object], *, title: str, text: str = "",
             on_done: Callable[[object], None] | None = None, on_fail: Callable[[CodedError], None] | None = None,
             cancel: Callable[[], None] | None = None, retry: bool = False) -> None:
        """Run `fn(progress)` in a worker; `progress(info)` may be called from it with a text or a dict
        (`text`, `qr`). `on_done(result)` / `on_fail(error)` run later on the UI thread."""
        if self.job is not None:
            return
        self.render_frame()
        self._frozen = self.window.copy()
        self._deferred = []
        job = Job(fn, on_done, on_fail, retry, cancel, title)
        self.job = job
        self.overlays = [o for o in self.overlays if isinstance(o, Progress)]
        # «Отмена» appears with the device's first progress: only then is there a wait it can end
        self.overlays.append(Progress(self, title, text, None, None, None))

        self._worker().put(job)
        self.refresh()

    def _worker(self) -> "queue_mod.Queue[Job]":
        """One long-lived worker thread for every job (a thread per job would cost a malloc arena each)."""
        if getattr(self, "_jobs", None) is None:
            self._jobs: queue_mod.Queue[Job] = queue_mod.Queue()

            def loop() -> None:
                while True:
                    job = self._jobs.get()
                    try:
                        job.result = job.fn(lambda info: self.queue.put(("job_progress", info)))
                    except BaseException as e:  # noqa: BLE001 — every outcome goes back to the UI thread
                        job.error = e
                    self.queue.put(("job_done", job))
            threading.Thread(target=loop, name="ui-job", daemon=True).start()
        return self._jobs

    @property
    def busy(self) -> bool:
        return self.job is not None

    def step_busy(self, events: list) -> None:
        """The main loop's step while a job runs: «Отмена», progress updates, the job's end; nothing else."""
        for e in events:
            if e.type == pygame.QUIT:
                self.running = False
            elif e.type == pygame.MOUSEBUTTONUP and e.button == 1:
                hit = self.ui.hit(e.pos)
                prog = self.progress_overlay()
                if hit is not None and hit.id == "progress.cancel" and prog is not None and prog.cancel:
                    prog.cancel()
                    prog.text = self.t("ui.pay.cancelling")
                    prog.cancel = None
                    if self.job is not None:
                        self.job.cancelled = True
                    self.refresh()
            self.manager.process_events(e)
        while True:
            try:
                kind, payload = self.queue.get_nowait()
            except queue_mod.Empty:
                break
            if kind == "job_progress":
                self.job_progress(payload)
            elif kind == "job_done":
                self.job_finished(payload)       # type: ignore[arg-type]
                return
            else:
                self._deferred.append((kind, payload))   # a scan during a payment waits for its end
        prog = self.progress_overlay()
        if prog is not None and prog.tick(self.now()):
            self.refresh()
        if self._dirty:
            self.ui.reset()
            self.ui.image(self.lay.screen, self._frozen, 0, wid="_frozen")
            for i, ov in enumerate(self.overlays, start=1):
                ov.build(self.ui, self.lay, i)
            self.ui.finish()
            self.ui.modal_layer = len(self.overlays)
            self._dirty = False

    def progress_overlay(self) -> Progress | None:
        return next((o for o in self.overlays if isinstance(o, Progress)), None)

    def job_progress(self, info: object) -> None:
        prog = self.progress_overlay()
        if prog is None:
            return
        job = self.job
        if job is not None and job.cancel and not job.cancelled:
            prog.cancel = job.cancel
        if job is not None and job.cancelled:
            self.refresh()
            return                              # «Отменяем…» stays until the device has finished
        if isinstance(info, dict):
            if info.get("title"):
                prog.title = str(info["title"])
            if "text" in info:
                prog.text = str(info["text"] or "")
            if "fraction" in info:             # a job that knows how far it is (an import, an export)
                f = info["fraction"]
                prog.fraction = None if f is None else max(0.0, min(1.0, float(f)))
            if info.get("qr"):
                prog.set_qr(str(info["qr"]))
        elif info is not None:
            prog.text = str(info)
        self.refresh()

    def job_finished(self, job: Job) -> None:
        from fsm.errors import OperationError
        self.job, self._frozen = None, None
        for item in self._deferred:
            self.queue.put(item)
        self._deferred = []
        self.hide_progress()
        err = job.error
        try:
            if err is None:
                if job.on_done:
                    job.on_done(job.result)
            elif isinstance(err, CodedError):
                if job.on_fail:
                    job.on_fail(err)
                retry = (lambda: self.work(job.fn, title=job.title, on_done=job.on_done, on_fail=job.on_fail,
                                           cancel=job.cancel, retry=True)) \
                    if job.retry and isinstance(err, OperationError) else None
                self.fail(err.code, err.message, retry, variant=getattr(err, "variant", None))
            else:
                log.error("job failed", exc_info=err)
                self.fail("INTERNAL", self.t("ui.error.internal_short"))
        finally:
            self.show_notices()
            self.refresh()
            self._trim_after_build = True        # once the next screen is built: the quiet moment of a sale
