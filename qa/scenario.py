"""`zpos scenario`: run YAML scenario files (contracts.md §3) headless on simulated devices."""
from __future__ import annotations

import json
import shutil
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

from fsm.clock import SimClock, parse_duration
from fsm.errors import OperationError
from fsm.fiscal_path import CRASH_POINTS, CrashSwitch, PowerLoss
from qa.rig import SetupError, build_sim_register, reopen
from qa.scenario_checks import ExpectationFailed, check_expectations, state_snapshot
from texts.errors import CodedError

DEFAULT_CLOCK = "2026-01-15T09:00:00+03:00"


class ScenarioFileError(ValueError):
    """A scenario file that cannot be run: the message names the file, the step and the problem."""


@dataclass(frozen=True)
class ScenarioResult:
    name: str
    passed: bool
    step: int | None = None
    why: str = ""

    def line(self) -> str:
        return f"PASS {self.name}" if self.passed else f"FAIL {self.name}: step {self.step}: {self.why}"


def load(path: Path) -> dict:
    try:
        doc = yaml.safe_load(Path(path).read_text(encoding="utf-8"))
    except (OSError, yaml.YAMLError) as e:
        raise ScenarioFileError(f"{path}: cannot read YAML: {e}") from None
    if not isinstance(doc, dict) or not isinstance(doc.get("steps"), list):
        raise ScenarioFileError(f"{path}: a scenario is a mapping with 'name', 'setup' and a list 'steps'")
    unknown = set(doc) - {"name", "setup", "steps", "clock", "description"}
    if unknown:
        raise ScenarioFileError(f"{path}: unknown key {sorted(unknown)[0]!r}")
    doc.setdefault("name", Path(path).stem)
    return doc


def split_step(step: Any) -> tuple[str, Any]:
    if isinstance(step, str):
        return step, None
    if isinstance(step, dict) and len(step) == 1:
        (k, v), = step.items()
        return str(k), v
    raise ScenarioFileError(f"a step is a word or a one-key mapping, not {step!r}")


class Runner:
    def __init__(self, scenario: dict, data_dir: Path, out_dir: Path | None = None) -> None:
        self.scenario = scenario
        self.data_dir = Path(data_dir)
        self.out_dir = out_dir
        self.clock = SimClock(scenario.get("clock", DEFAULT_CLOCK))
        self.crash = CrashSwitch()
        self.register = None
        self.hub = None
        self.ui = None

    # ----- life ----------------------------------------------------------------------------
    def start(self) -> None:
        self.register, self.hub = build_sim_register(self.data_dir, self.scenario.get("setup") or {}, self.clock,
                                                     sleep=lambda s: None)
        self.register.path.crash = self.crash

    def stop(self) -> None:
        if self.register is not None:
            self.register.devices.close()
            self.register.close()
        if self.ui is not None:
            self.ui.close()
        if self.hub is not None:
            if self.out_dir:
                self.keep_printed()
            self.hub.stop()

    def keep_printed(self) -> None:
        dest = Path(self.out_dir) / self.scenario["name"].replace("/", "_")
        dest.mkdir(parents=True, exist_ok=True)
        for f in (self.hub.root / "printed").glob("*"):
            shutil.copy2(f, dest / f.name)

    def power_loss(self) -> None:
        """The workstation dies at once and starts again on the same data; the devices keep running."""
        if self.ui is not None:
            self.ui.close()
            self.ui = None
        self.register = reopen(self.register, self.hub, self.clock, crash=self.crash, sleep=lambda s: None)

    def run(self) -> ScenarioResult:
        name = self.scenario["name"]
        try:
            self.start()
        except KeyError as e:
            return ScenarioResult(name, False, 0, f"setup: missing field {e}")
        except (SetupError, OperationError, ValueError, TypeError, AttributeError) as e:
            return ScenarioResult(name, False, 0, f"setup: {e}")
        except Exception as e:  # storage refusals of a bad catalog row, etc.: the file is wrong, say so
            return ScenarioResult(name, False, 0, f"setup: {getattr(e, 'message', e)}")
        try:
            for k, step in enumerate(self.scenario["steps"], start=1):
                try:
                    self.do(step)
                except PowerLoss:
                    self.power_loss()
                except CodedError as e:       # a refusal of the register (or a device error it let through)
                    return ScenarioResult(name, False, k, f"rejected {e.code}: {e.message}")
                except (ExpectationFailed, ScenarioFileError) as e:
                    return ScenarioResult(name, False, k, str(e))
            return ScenarioResult(name, True)
        finally:
            self.stop()

    # ----- steps ---------------------------------------------------------------------------
    def do(self, step: Any) -> None:
        action, arg = split_step(step)
        handler = STEPS.get(action)
        if handler is None:
            raise ScenarioFileError(f"unknown step {action!r}")
        try:
            handler(self, arg)
        except (KeyError, TypeError, AttributeError, ValueError) as e:
            if isinstance(e, ScenarioFileError):
                raise
            # The step's arguments are not of the shape contracts.md §3 gives (the register's own
            # refusals are OperationError, which never lands here).
            detail = f"missing {e}" if isinstance(e, KeyError) else str(e)
            raise ScenarioFileError(f"{action}: bad arguments {arg!r} ({detail})") from None

    def headless_ui(self):
        if self.ui is None:
            from qa.headless import HeadlessUI
            self.ui = HeadlessUI(self.register)
        return self.ui

    def _ui(self, gesture: str, arg: str) -> None:
        from qa.headless import UiError
        try:
            getattr(self.headless_ui(), gesture)(arg)
        except UiError as e:
            raise ExpectationFailed(f"{gesture} {arg}: {e}") from None





# ----- the steps of contracts.md §3 and the extensions of docs/scenarios.md: one function each -------------------
STEPS: dict[str, Any] = {}


def step(fn):
    """Register `step_NAME` as the scenario step NAME (its first argument is the Runner)."""
    STEPS[fn.__name__.removeprefix("step_")] = fn
    return fn


@step
def step_unlock(runner, pw): runner.register.session.unlock(str(pw))


@step
def step_sko_pin(runner, pin): runner.register.session.sko_pin(str(pin))


@step
def step_login(runner, a): runner.register.session.login(str(a["user"]), str(a["password"]))


@step
def step_change_password(runner, a): runner.register.session.change_password(str(a["old"]), str(a["new"]))


@step
def step_logout(runner, _): runner.register.session.logout()


@step
def step_open_shift(runner, _): runner.register.shifts.open_shift()


@step
def step_close_shift(runner, _): runner.register.shifts.close_shift()


@step
def step_x_report(runner, _): runner.register.shifts.x_report()


@step
def step_cash_in(runner, a): runner.register.shifts.cash_in(str(a))


@step
def step_cash_out(runner, a): runner.register.shifts.cash_out(str(a))


@step
def step_scan(runner, code): runner.register.sale.scan(str(code))


@step
def step_add_item(runner, a): runner.register.sale.add_item(str(a["code"]), a.get("qty"))


@step
def step_add_section(runner, a): runner.register.sale.add_section(int(a["section"]), str(a["amount"]))


@step
def step_set_qty(runner, a): runner.register.sale.set_qty(int(a["line"]), str(a["qty"]))


@step
def step_remove_line(runner, n): runner.register.sale.remove_line(int(n))


@step
def step_cancel_receipt(runner, _): runner.register.sale.cancel_receipt()


@step
def step_annul_last(runner, _): runner.register.docs.annul_last()


@step
def step_copy(runner, n): runner.register.docs.copy(n)


@step
def step_reprint_slip(runner, n):
    """Extension: the card slip(s) of document N (`last`: the last sale) again, as copies."""
    if n in (None, "last"):
        last = runner.register.stores.journal.last_document(types=["sale"])
        n = last.number if last else 0
    runner.register.docs.reprint_slip(n)


@step
def step_reprint(runner, _): runner.register.docs.reprint()


@step
def step_cancel_unfinished(runner, _): runner.register.checkout.give_back()


@step
def step_discount_card(runner, number): runner.register.sale.discount_card(str(number))


@step
def step_skip_marking(runner, _): runner.register.marking.skip()


@step
def step_start_self_service(runner, _): runner.register.session.start_self_service()


@step
def step_end_self_service(runner, pw): runner.register.session.end_self_service(str(pw))


@step
def step_repeat(runner, spec):
    """Extension: {times: N, do: STEP} runs STEP N times (e.g. to fill a receipt to its limit)."""
    if not isinstance(spec, dict) or not isinstance(spec.get("times"), int) or "do" not in spec:
        raise ScenarioFileError("repeat: needs {times: N, do: STEP}")
    for _ in range(spec["times"]):
        runner.do(spec["do"])


@step
def step_try(runner, step):
    """Extension: run STEP as the cashier would under a fault: a refusal is accepted (the outcome is
    then checked by the expectations that follow), anything else still fails the scenario."""
    try:
        runner.do(step)
    except CodedError:
        pass


@step
def step_weigh(runner, kg):
    runner.hub.control("scale", "weight", str(kg))


@step
def step_item_discount(runner, a):
    runner.register.sale.item_discount(int(a["line"]), {k: v for k, v in a.items() if k != "line"})


@step
def step_receipt_discount(runner, a):
    runner.register.sale.receipt_discount(dict(a))


@step
def step_pay(runner, a):
    a = dict(a)
    terminal = a.pop("terminal", None)
    runner.register.checkout.pay({k: str(v) for k, v in a.items()}, terminal=terminal)


@step
def step_refund(runner, a):
    runner.register.refunds.refund(a.get("receipt", "last"), a.get("lines"), a.get("pay"))


@step
def step_refund_free(runner, a):
    runner.register.refunds.refund_free(str(a["amount"]), a.get("pay"))


@step
def step_refund_goods(runner, a):
    runner.register.refunds.refund_goods(a["items"], a.get("pay"))


@step
def step_card(runner, mode): runner.hub.control("card", *str(mode).split())


@step
def step_printer(runner, mode): runner.hub.control("printer", str(mode))


@step
def step_scale(runner, mode): runner.hub.control("scale", str(mode))


@step
def step_sko(runner, mode): runner.hub.control("sko", *str(mode).split())


@step
def step_oplati(runner, mode): runner.hub.control("oplati", str(mode))


@step
def step_advance_clock(runner, text):
    runner.clock.advance(parse_duration(str(text)))


@step
def step_power_loss(runner, _):
    runner.power_loss()


@step
def step_power_loss_at(runner, point):
    """Arm a crash between two steps of the fiscal path; the next fiscal operation dies there."""
    if point not in CRASH_POINTS:
        raise ScenarioFileError(f"power_loss_at: {point!r} is not one of {', '.join(CRASH_POINTS)}")
    runner.crash.armed = point


@step
def step_tap(runner, widget): runner._ui("tap", str(widget))


@step
def step_swipe(runner, direction): runner._ui("swipe", str(direction))


@step
def step_long_press(runner, widget): runner._ui("long_press", str(widget))


@step
def step_expect_marking(runner, spec):
    """Extension: {prompt: {name?, needed?, required?} | null, codes: {LINE: N}, sold: N, key: {GTIN+serial: sold|returned|free}}."""
    if not isinstance(spec, dict):
        raise ScenarioFileError("expect_marking: a mapping of checks")
    from qa.scenario_checks import same_value
    reg = runner.register
    for key, want in spec.items():
        if key == "prompt":
            p = reg.marking.prompt()
            if want is None or p is None:
                if (want is None) != (p is None):
                    raise ExpectationFailed(f"expect_marking.prompt: expected {want!r}, found {p!r}")
                continue
            for f, v in want.items():
                if not same_value(v, getattr(p, f, None)):
                    raise ExpectationFailed(f"expect_marking.prompt.{f}: expected {v!r}, found {getattr(p, f, None)!r}")
        elif key == "codes":
            lines = reg.sale.receipt.lines
            for line, n in want.items():
                found = len(lines[int(line) - 1].markings) if 0 < int(line) <= len(lines) else None
                if found != n:
                    raise ExpectationFailed(f"expect_marking.codes.{line}: expected {n}, found {found}")
        elif key == "sold":
            found = sum(1 for r in reg.marking.index().rows() if r[1] == "sold")
            if found != want:
                raise ExpectationFailed(f"expect_marking.sold: expected {want}, found {found}")
        elif key == "key":
            for k, state in want.items():
                st = reg.marking.index().state(str(k))
                found = st.state if st else "free"
                if found != state:
                    raise ExpectationFailed(f"expect_marking.key.{k}: expected {state}, found {found}")
        else:
            raise ScenarioFileError(f"expect_marking: unknown check {key!r}")


@step
def step_expect(runner, spec):
    if not isinstance(spec, dict):
        raise ScenarioFileError("expect: a mapping of checks")
    check_expectations(runner, spec)


@step
def step_expect_error(runner, spec):
    if not isinstance(spec, dict) or "code" not in spec or "do" not in spec:
        raise ScenarioFileError("expect_error: needs {code: CODE, do: STEP}")
    before = state_snapshot(runner)
    try:
        runner.do(spec["do"])
    except CodedError as e:
        if e.code != spec["code"]:
            raise ExpectationFailed(f"expected {spec['code']}, got {e.code}: {e.message}") from None
    else:
        raise ExpectationFailed(f"expected {spec['code']}, but the step was accepted")
    after = state_snapshot(runner)
    if before != after:
        changed = sorted(k for k in before if before[k] != after.get(k))
        raise ExpectationFailed(f"{spec['code']} was raised but the step changed {', '.join(changed)}")


def run_files(paths: list[Path], data_root: Path | None, out_dir: Path | None) -> list[ScenarioResult]:
    results = []
    tmp = None
    if data_root is None:
        tmp = Path(tempfile.mkdtemp(prefix="zpos-scenario-"))
    root = data_root or tmp
    try:
        for path in paths:
            try:
                scenario = load(path)
            except ScenarioFileError as e:
                results.append(ScenarioResult(Path(path).stem, False, 0, str(e)))
                continue
            data = Path(root) / Path(path).stem
            if data.exists():
                shutil.rmtree(data)
            results.append(Runner(scenario, data, out_dir).run())
    finally:
        if tmp is not None:
            shutil.rmtree(tmp, ignore_errors=True)
    return results


def results_json(results: list[ScenarioResult]) -> str:
    return json.dumps([r.__dict__ for r in results], ensure_ascii=False, indent=1)
