"""`zpos run`: the cashier workstation on the touch screen, on simulated devices (--sim) or the configured ones."""
from __future__ import annotations

import glob
import os
from pathlib import Path

from storage.outbox import Outbox, OutboxWorker
from zpos.errors import CliError, refusal_line

WATCHDOG_MARGIN_S = 60
NO_DISPLAY = "no display: {why}. Run it on the terminal's screen, or try `zpos demo` for a headless working day"


def parse_size(text: str) -> tuple[int, int]:
    """'1024x600' → (1024, 600); CliError naming the value otherwise."""
    w, sep, h = text.lower().partition("x")
    if not sep or not w.isdigit() or not h.isdigit() or not (320 <= int(w) <= 7680 and 240 <= int(h) <= 4320):
        raise CliError(f"--size {text!r}: expected WIDTHxHEIGHT such as 1024x600")
    return int(w), int(h)


def choose_video_driver(fullscreen: bool, env: dict | None = None) -> str | None:
    """The SDL video driver to use, or None when there is no display at all (the caller says so in one line)."""
    env = os.environ if env is None else env
    if env.get("SDL_VIDEODRIVER"):
        return env["SDL_VIDEODRIVER"]
    if env.get("WAYLAND_DISPLAY"):
        return "wayland"
    if env.get("DISPLAY"):
        return "x11"
    if glob.glob("/dev/dri/card*"):
        return "kmsdrm"
    return None


def register(sub) -> None:
    p = sub.add_parser("run", help="the cashier workstation (touch screen)")
    p.add_argument("--sim", action="store_true", help="start simulated devices and use them")
    p.add_argument("--data", type=Path, help="data directory (default: config, $ZPOS_DATA, user data dir)")
    p.add_argument("--config", type=Path, help="TOML configuration file (devices, data dir)")
    p.add_argument("--size", default="1024x600", help="window size WxH (default 1024x600)")
    p.add_argument("--fullscreen", action="store_true", help="full screen (kmsdrm when there is no X/Wayland)")
    p.add_argument("--lang", choices=("ru", "be", "en"), default=None,
                   help="interface language (default: the register's «language» parameter, Russian out of the box)")
    p.set_defaults(func=run)


def run(args) -> int:
    size = parse_size(args.size)
    driver = choose_video_driver(args.fullscreen)
    if driver is None:
        raise CliError(NO_DISPLAY.format(why="DISPLAY and WAYLAND_DISPLAY are not set and there is no /dev/dri "
                                             "for kmsdrm"), 1)
    os.environ["SDL_VIDEODRIVER"] = driver
    from zpos.watchdog import Watchdog
    watchdog = Watchdog.from_env()
    register_, stop, longest_wait, display = open_register(args)
    try:
        import pygame

        from screens.app import App
        try:
            app = App(register_, size=size, lang=args.lang or register_.stores.params.language, fullscreen=args.fullscreen)
        except pygame.error as e:
            raise CliError(NO_DISPLAY.format(why=f"SDL could not open a window with the {driver} driver ({e})"), 1) \
                from None
        customer = open_customer_screen(app, register_, display, args.fullscreen)
        # The loop cannot draw while it waits inside a device call: allow the longest one plus a margin.
        watchdog.require(longest_wait + WATCHDOG_MARGIN_S)
        app.on_frame = watchdog.frame if customer is None else (lambda: (watchdog.frame(), customer.frame()))
        app.run()
    finally:
        watchdog.stopping()
        stop()
    return 0


def open_customer_screen(app, register_, display, fullscreen: bool):
    """The second screen when the config asks for one ([devices.display] kind = "screen"), following the till's
    customer feed; None when it does not, or when that display is not there (logged once; the till goes on)."""
    if display is None or display.kind != "screen":
        return None
    from screens.customer_screen import open_customer_window
    from screens.customer_slides import SlideShow
    from storage.errors import StorageError

    def folder() -> Path | None:
        sub = register_.stores.params.customer_slides_dir
        return register_.data_dir / sub if sub else None
    try:
        req = register_.stores.settings.requisites()
        shop = req.shop_name or req.org_name
    except StorageError:           # before set-up there are no requisites: the screen shows no shop name
        shop = ""
    window = open_customer_window(display.screen, fullscreen, display.lang, SlideShow(folder, wall=register_.clock.now),
                                  lambda: shop)
    if window is not None:
        register_.customer.add_listener(window.screen)
        app.foreign = window.owns
    return window


def open_register(args):
    """(register, stop, longest blocking device wait in seconds, the customer display's config) on simulated
    devices with --sim, else on the devices of the config file."""
    from fsm.clock import SystemClock
    from zpos.config import cli_config
    from zpos.logs import setup_logging
    cfg, data = cli_config(args.config, args.data)
    setup_logging(data)
    if args.sim:
        from qa.rig import build_sim_register
        reg, hub = build_sim_register(data, None, SystemClock())
        sim_uploads = OutboxWorker(Outbox(str(data))).start()

        def stop_sim() -> None:
            sim_uploads.stop()
            reg.shutdown()
            hub.stop()
        return reg, stop_sim, cfg.devices.longest_blocking_call(), cfg.devices.display
    from fsm.till import Till
    from hal.errors import DeviceError
    from zpos.wiring import open_devices
    try:
        devices = open_devices(cfg.devices)
    except DeviceError as e:
        raise CliError(f"devices: {refusal_line(e)}", 1) from None
    reg = Till(data, devices, SystemClock())
    uploads = OutboxWorker(Outbox(str(data))).start()     # reports and archives go out in the background

    def stop() -> None:
        uploads.stop()
        reg.shutdown()
    return reg, stop, cfg.devices.longest_blocking_call(), cfg.devices.display
