"""A virtual terminal for golden-screen tests of the real binary.

The program runs in a pseudo-terminal and its output goes through libvterm
(via ctypes), the emulator neovim uses, so tests see what an operator's
terminal would show: text, cursor, attributes, resizes, replies to queries.
pyte is not available here and libvterm is (Debian libvterm0), see
shared/reference/tui.md section 2.6.

    import vt
    with vt.binary_session(["connect"], env={...}) as s:
        s.wait_for("Step 1 of 5")
        s.key("Enter")
        s.wait_for("Step 2 of 5")                    # a condition, never a sleep
        vt.golden("connect-step2", s.screen())

Main pieces:
  VTerm    libvterm screen: feed(bytes), lines(), text(), cursor(), attrs()
  Session  a program in a pty + VTerm: send/key, pump, settle, wait_for,
           resize, osc52(), raw_since(), exit_code(), close()
  golden   compare a screen with tests/ui/screens/<name>.screen
           (UPDATE_GOLDEN=1 rewrites the file)
  Tmux     a private tmux server for smoke tests (capture-pane, buffers)

Every wait has a deadline, scaled by harness.timeout_factor() like
run_binary.  Deadlines only bound a hung program: a test waits for the
condition it checks and never asserts how fast it came (that is bench/'s
job); wait_for's return value is for "# note" lines.
"""

import atexit
import base64
import ctypes
import ctypes.util
import difflib
import fcntl
import itertools
import os
import re
import select
import shutil
import signal
import struct
import subprocess
import termios
import time
import weakref

import harness

# ----------------------------------------------------------------------------
# libvterm through ctypes
# ----------------------------------------------------------------------------


class _Pos(ctypes.Structure):
    _fields_ = [("row", ctypes.c_int), ("col", ctypes.c_int)]


class _Rect(ctypes.Structure):
    _fields_ = [("start_row", ctypes.c_int), ("end_row", ctypes.c_int),
                ("start_col", ctypes.c_int), ("end_col", ctypes.c_int)]


class _Cell(ctypes.Structure):
    """VTermScreenCell (vterm.h 0.1.x): 40 bytes on x86-64/aarch64 with GCC.

    The attribute bit-field is read as one uint32 and decoded with the masks
    below instead of ctypes bit-fields, so the layout is explicit; VTerm
    checks it once against known SGR output (see _check_cell_layout).
    """
    _fields_ = [("chars", ctypes.c_uint32 * 6),
                ("width", ctypes.c_char),
                ("attrs", ctypes.c_uint32),
                ("fg", ctypes.c_uint8 * 4),
                ("bg", ctypes.c_uint8 * 4)]


# VTermScreenCellAttrs bits (GCC allocates bit-fields from bit 0 upward).
_BOLD, _UNDERLINE, _ITALIC, _BLINK, _REVERSE, _STRIKE = 0x1, 0x6, 0x8, 0x10, 0x20, 0x40
_COLOR_INDEXED, _COLOR_DEFAULT_FG, _COLOR_DEFAULT_BG = 0x01, 0x02, 0x04


class _Value(ctypes.Union):
    """VTermValue: what settermprop receives (bool/number/string/colour)."""
    _fields_ = [("boolean", ctypes.c_int), ("number", ctypes.c_int),
                ("string", ctypes.c_char_p), ("color", ctypes.c_uint8 * 4)]


_OUTPUT_CB = ctypes.CFUNCTYPE(None, ctypes.c_void_p, ctypes.c_size_t, ctypes.c_void_p)
_SETTERMPROP_CB = ctypes.CFUNCTYPE(ctypes.c_int, ctypes.c_int, ctypes.POINTER(_Value),
                                   ctypes.c_void_p)
_BELL_CB = ctypes.CFUNCTYPE(ctypes.c_int, ctypes.c_void_p)


class _ScreenCallbacks(ctypes.Structure):
    """VTermScreenCallbacks; only settermprop and bell are set."""
    _fields_ = [("damage", ctypes.c_void_p), ("moverect", ctypes.c_void_p),
                ("movecursor", ctypes.c_void_p), ("settermprop", _SETTERMPROP_CB),
                ("bell", _BELL_CB), ("resize", ctypes.c_void_p),
                ("sb_pushline", ctypes.c_void_p), ("sb_popline", ctypes.c_void_p)]


_PROP_CURSORVISIBLE, _PROP_ALTSCREEN, _PROP_TITLE = 1, 3, 4

_lib = None


def _libvterm():
    """Load libvterm once and declare the prototypes we call (wrong argument
    types through ctypes would corrupt memory silently)."""
    global _lib
    if _lib is not None:
        return _lib
    name = ctypes.util.find_library("vterm") or "libvterm.so.0"
    try:
        lib = ctypes.CDLL(name)
    except OSError as e:
        raise harness.Skip(f"libvterm is not installed ({e})")
    p, i, sz = ctypes.c_void_p, ctypes.c_int, ctypes.c_size_t
    protos = {
        "vterm_new": (p, [i, i]),
        "vterm_free": (None, [p]),
        "vterm_set_utf8": (None, [p, i]),
        "vterm_set_size": (None, [p, i, i]),
        "vterm_input_write": (sz, [p, ctypes.c_char_p, sz]),
        "vterm_output_set_callback": (None, [p, _OUTPUT_CB, p]),
        "vterm_keyboard_key": (None, [p, i, i]),
        "vterm_obtain_screen": (p, [p]),
        "vterm_obtain_state": (p, [p]),
        "vterm_screen_reset": (None, [p, i]),
        "vterm_screen_enable_altscreen": (None, [p, i]),
        "vterm_screen_set_callbacks": (None, [p, ctypes.POINTER(_ScreenCallbacks), p]),
        "vterm_screen_get_text": (sz, [p, ctypes.c_char_p, sz, _Rect]),
        "vterm_screen_get_cell": (i, [p, _Pos, ctypes.POINTER(_Cell)]),
        "vterm_state_get_cursorpos": (None, [p, ctypes.POINTER(_Pos)]),
    }
    for fname, (restype, argtypes) in protos.items():
        fn = getattr(lib, fname)
        fn.restype = restype
        fn.argtypes = argtypes
    _lib = lib
    return lib


# Named keys -> (VTermKey, modifiers).  libvterm encodes them exactly as
# xterm does, including application cursor mode (ESC O A after the program
# sends smkx, ESC [ A otherwise), so tests press keys the way a terminal would.
_VK = {"Enter": 1, "Tab": 2, "Backspace": 3, "Esc": 4, "Up": 5, "Down": 6,
       "Left": 7, "Right": 8, "Insert": 9, "Delete": 10, "Home": 11, "End": 12,
       "PgUp": 13, "PgDn": 14}
_VK.update({f"F{n}": 256 + n for n in range(1, 13)})
_ALIASES = {"Return": "Enter", "CR": "Enter", "Escape": "Esc", "BSpace": "Backspace",
            "BS": "Backspace", "PageUp": "PgUp", "PageDown": "PgDn", "PPage": "PgUp",
            "NPage": "PgDn", "Del": "Delete", "DC": "Delete", "Ins": "Insert",
            "IC": "Insert", "BTab": "S-Tab"}
_MODS = {"S": 1, "M": 2, "A": 2, "C": 4}
_LITERAL = {"Space": b" "}


def _split_modifiers(name):
    """'C-M-x' -> ({'C','M'}, 'x'); a bare '-' or 'C--' keeps its dash."""
    mods = set()
    while len(name) > 2 and name[1] == "-" and name[0] in _MODS:
        mods.add(name[0])
        name = name[2:]
    return mods, name


def _ctrl(char):
    """Control code of a character the way xterm sends it (C-a=1, C-[=ESC,
    C-Space=NUL, C-?=DEL); libvterm would send CSI u for some of these."""
    if char == "?":
        return b"\x7f"
    if char == " " or char == "@":
        return b"\x00"
    code = ord(char.lower() if char.isalpha() else char)
    if not (0x40 <= code <= 0x7f):
        raise ValueError(f"no control code for {char!r}")
    return bytes([code & 0x1f])


class VTerm:
    """A libvterm screen of rows x cols, UTF-8, with the alternate screen on
    (as xterm: ncurses' smcup/rmcup switch buffers, so after the program ends
    the primary screen shows again).

    Bytes the terminal itself would send back to the program (replies to
    DSR/DA queries, and key presses from key_bytes) collect in an output
    buffer; take_output() hands them over (Session writes them to the pty).
    """

    def __init__(self, rows=24, cols=80):
        self._lib = _libvterm()
        self.rows, self.cols = rows, cols
        self._out = bytearray()
        self.cursor_visible = True
        self.altscreen = False
        self.title = ""
        self.bells = 0
        self._vt = self._lib.vterm_new(rows, cols)
        if not self._vt:
            raise MemoryError("vterm_new failed")
        self._lib.vterm_set_utf8(self._vt, 1)
        # libvterm keeps the pointers: the callbacks must live as long as _vt.
        self._output_cb = _OUTPUT_CB(self._on_output)
        self._lib.vterm_output_set_callback(self._vt, self._output_cb, None)
        self._screen = self._lib.vterm_obtain_screen(self._vt)
        self._state = self._lib.vterm_obtain_state(self._vt)
        self._callbacks = _ScreenCallbacks(settermprop=_SETTERMPROP_CB(self._on_prop),
                                           bell=_BELL_CB(self._on_bell))
        self._lib.vterm_screen_set_callbacks(self._screen, ctypes.byref(self._callbacks), None)
        self._lib.vterm_screen_enable_altscreen(self._screen, 1)
        self._lib.vterm_screen_reset(self._screen, 1)
        _check_cell_layout()

    # -- callbacks from libvterm (keep them trivial: exceptions are lost) --

    def _on_output(self, data, length, _user):
        self._out += ctypes.string_at(data, length)

    def _on_prop(self, prop, value, _user):
        if prop == _PROP_CURSORVISIBLE:
            self.cursor_visible = bool(value.contents.boolean)
        elif prop == _PROP_ALTSCREEN:
            self.altscreen = bool(value.contents.boolean)
        elif prop == _PROP_TITLE:
            self.title = (value.contents.string or b"").decode("utf-8", "replace")
        return 1  # 0 would make libvterm refuse the change

    def _on_bell(self, _user):
        self.bells += 1
        return 1

    # -- input --

    def feed(self, data):
        """Parse program output (bytes; a str is UTF-8 encoded).  Partial
        UTF-8 or escape sequences may be split across calls."""
        self._require_open()
        if isinstance(data, str):
            data = data.encode()
        if data:
            self._lib.vterm_input_write(self._vt, data, len(data))

    def take_output(self):
        """Bytes the terminal sends to the program (query replies, keys)."""
        out, self._out = bytes(self._out), bytearray()
        return out

    def key_bytes(self, name):
        """The bytes the terminal sends for a key name, in the current mode.

        Names: Enter Esc Tab BTab Backspace Space Up Down Left Right Insert
        Delete Home End PgUp PgDn F1..F12 (aliases: Return Escape PageUp
        PageDown Del Ins BSpace); modifiers S- C- M- (e.g. S-Tab, C-Up, M-x);
        C-<char> is the control code (C-c = 0x03, C-l = 0x0c); any other
        single character is itself (UTF-8).
        """
        self._require_open()
        mods, base = _split_modifiers(name)
        base = _ALIASES.get(base, base)
        if base.startswith("S-"):           # BTab -> S-Tab
            mods.add("S")
            base = base[2:]
        if base in _LITERAL:
            base = _LITERAL[base].decode()
        if base in _VK:
            flags = sum({_MODS[m] for m in mods})
            self.take_output()
            self._lib.vterm_keyboard_key(self._vt, _VK[base], flags)
            return self.take_output()
        if len(base) != 1:
            raise ValueError(f"unknown key name {name!r}")
        if "C" in mods:
            data = _ctrl(base)
        elif "S" in mods:
            data = base.upper().encode()
        else:
            data = base.encode()
        return (b"\x1b" if "M" in mods or "A" in mods else b"") + data

    # -- reading the screen --

    def lines(self):
        """The screen as one str per row, trailing spaces trimmed."""
        self._require_open()
        buf = ctypes.create_string_buffer(self.cols * 4 * 6 + 8)
        rows = []
        for row in range(self.rows):
            rect = _Rect(row, row + 1, 0, self.cols)
            n = self._lib.vterm_screen_get_text(self._screen, buf, len(buf), rect)
            rows.append(buf.raw[:n].decode("utf-8", "replace").rstrip())
        return rows

    def text(self):
        """"\\n".join(lines()): every row, including empty ones at the end."""
        return "\n".join(self.lines())

    def cursor(self):
        """(row, col), 0-based, of the terminal cursor."""
        self._require_open()
        pos = _Pos()
        self._lib.vterm_state_get_cursorpos(self._state, ctypes.byref(pos))
        return pos.row, pos.col

    def attrs(self, row, col):
        """The cell at (row, col) as a dict:

        char (str, "" for the right half of a wide character), width (1/2),
        bold, underline, italic, blink, reverse, strike (bools),
        fg, bg: None for the default colour, an int palette index (SGR 30-37
        -> 0-7, 90-97 -> 8-15, 38;5;N -> N), or an (r, g, b) tuple.
        """
        self._require_open()
        if not (0 <= row < self.rows and 0 <= col < self.cols):
            raise IndexError(f"cell ({row}, {col}) is outside {self.rows}x{self.cols}")
        cell = _Cell()
        self._lib.vterm_screen_get_cell(self._screen, _Pos(row, col), ctypes.byref(cell))
        a = cell.attrs
        return {"char": _cell_chars(cell), "width": ord(cell.width),
                "bold": bool(a & _BOLD), "underline": bool(a & _UNDERLINE),
                "italic": bool(a & _ITALIC), "blink": bool(a & _BLINK),
                "reverse": bool(a & _REVERSE), "strike": bool(a & _STRIKE),
                "fg": _color(cell.fg, _COLOR_DEFAULT_FG),
                "bg": _color(cell.bg, _COLOR_DEFAULT_BG)}

    def attr_lines(self):
        """An attribute grid for golden files, one char per cell, trimmed:

        ' ' plain, else a hex digit of bold=1 underline=2 reverse=4 colour=8
        (colour: a non-default fg or bg), e.g. '4' marks a reverse-video
        selection bar and 'c' a coloured reverse one.  The right half of a
        wide character repeats the digit of its left half.
        """
        grid = []
        for row in range(self.rows):
            digits = []
            for col in range(self.cols):
                a = self.attrs(row, col)
                if a["char"] == "" and digits:
                    digits.append(digits[-1])
                    continue
                code = (a["bold"] * 1 + a["underline"] * 2 + a["reverse"] * 4
                        + (a["fg"] is not None or a["bg"] is not None) * 8)
                digits.append(" " if code == 0 else "%x" % code)
            grid.append("".join(digits).rstrip())
        return grid

    def find(self, text):
        """(row, col) of the first cell where `text` starts, or None.

        Columns are cells, so they stay right after wide (CJK) characters.
        """
        for row in range(self.rows):
            chars, cols = [], []
            for col in range(self.cols):
                ch = self.attrs(row, col)["char"]
                chars.append(ch)            # "" for right halves of wide chars
                cols.extend([col] * len(ch))  # combining marks share the cell
            line = "".join(chars)
            index = line.find(text)
            if index >= 0:
                return row, cols[index]
        return None

    # -- size and lifetime --

    def resize(self, rows, cols):
        """Change the emulated size (the pty size is Session.resize's job)."""
        self._require_open()
        self._lib.vterm_set_size(self._vt, rows, cols)
        self.rows, self.cols = rows, cols

    def close(self):
        """Free the libvterm object; idempotent."""
        if self._vt:
            self._lib.vterm_free(self._vt)
            self._vt = None

    def __del__(self):
        try:
            self.close()
        except Exception:
            pass

    def _require_open(self):
        if not self._vt:
            raise ValueError("VTerm is closed")


def _cell_chars(cell):
    if cell.chars[0] == 0xFFFFFFFF:          # right half of a wide character
        return ""
    out = []
    for c in cell.chars:
        if c == 0:
            break
        out.append(chr(c))
    return "".join(out) or " "


def _color(raw, default_flag):
    if raw[0] & default_flag:
        return None
    if raw[0] & _COLOR_INDEXED:
        return raw[1]
    return (raw[1], raw[2], raw[3])


_layout_checked = False


def _check_cell_layout():
    """Catch a VTermScreenCell layout this module does not know (another
    libvterm ABI) once, rather than report wrong attributes forever."""
    global _layout_checked
    if _layout_checked:
        return
    probe = VTerm.__new__(VTerm)
    lib = _libvterm()
    probe._vt = lib.vterm_new(1, 4)
    try:
        lib.vterm_set_utf8(probe._vt, 1)
        probe._screen = lib.vterm_obtain_screen(probe._vt)
        lib.vterm_screen_reset(probe._screen, 1)
        probe.rows, probe.cols = 1, 4
        probe._lib = lib
        probe.feed(b"\x1b[1;7;31mA\x1b[0;4;38;5;200mB")
        a, b = probe.attrs(0, 0), probe.attrs(0, 1)
        ok = (a["char"] == "A" and a["bold"] and a["reverse"] and not a["underline"]
              and a["fg"] == 1 and a["bg"] is None and b["char"] == "B"
              and b["underline"] and not b["bold"] and b["fg"] == 200)
        if not ok:
            raise RuntimeError(f"libvterm cell layout not understood: {a} {b}")
        _layout_checked = True
    finally:
        lib.vterm_free(probe._vt)
        probe._vt = None


# ----------------------------------------------------------------------------
# OSC 52 in a raw byte stream
# ----------------------------------------------------------------------------

_OSC52 = re.compile(rb"\x1b\]52;([^;\x07\x1b]*);([^\x07\x1b]*)(\x07|\x1b\\)")
_STREAM = re.compile(
    rb"(?P<tmux>\x1bPtmux;(?:\x1b\x1b|[^\x1b])*\x1b\\)"          # tmux passthrough
    rb"|(?P<screen>(?:\x1bP(?!tmux;)(?:[^\x1b]|\x1b(?!\\))*\x1b\\)+)"  # screen DCS chunks
    rb"|(?P<plain>" + _OSC52.pattern + rb")")


def parse_osc52(raw):
    """Every OSC 52 in raw terminal output, in order, as dicts:

    target ("c", "p", ...), base64 (str), data (bytes, None for a query "?"
    or invalid base64), text (data as UTF-8, or None), terminator ("BEL" or
    "ST"), wrap ("none", "tmux" for ESC P tmux; ... ESC \\ with doubled ESCs,
    "screen" for chunks in consecutive DCS strings).
    """
    found = []
    for m in _STREAM.finditer(raw):
        if m.group("tmux"):
            inner = m.group("tmux")[len(b"\x1bPtmux;"):-2].replace(b"\x1b\x1b", b"\x1b")
            wrap = "tmux"
        elif m.group("screen"):
            chunks = re.findall(rb"\x1bP((?:[^\x1b]|\x1b(?!\\))*)\x1b\\", m.group("screen"))
            inner, wrap = b"".join(chunks), "screen"
        else:
            inner, wrap = m.group("plain"), "none"
        for osc in _OSC52.finditer(inner):
            found.append(_osc52_entry(osc, wrap))
    return found


def _osc52_entry(m, wrap):
    payload = m.group(2).decode("ascii", "replace")
    data = None
    if payload != "?":
        try:
            data = base64.b64decode("".join(payload.split()), validate=True)
        except ValueError:
            data = None
    return {"target": m.group(1).decode("ascii", "replace"), "base64": payload,
            "data": data, "text": data.decode("utf-8", "replace") if data is not None else None,
            "terminator": "BEL" if m.group(3) == b"\x07" else "ST", "wrap": wrap}


# ----------------------------------------------------------------------------
# Session: a program in a pty
# ----------------------------------------------------------------------------

_live_sessions = weakref.WeakSet()
_live_tmux = weakref.WeakSet()


def close_all():
    """Close every Session and kill every Tmux server still running
    (suite.after_each(vt.close_all) keeps a failed test from leaving its
    programs behind; it also runs at exit)."""
    for s in list(_live_sessions):
        s.close()
    for t in list(_live_tmux):
        t.kill()


atexit.register(close_all)


def _deadline(seconds):
    return time.monotonic() + seconds * harness.timeout_factor()


def tui_env(env=None, home=None, term="xterm-256color"):
    """A pinned environment for TUI runs (tui.md 2.6): harness.clean_env plus
    TERM, TZ=UTC, ESCDELAY=25 (Esc is not held for a second) and sanitizer
    options; `env` entries win (None removes a key)."""
    base = {"TERM": term, "TZ": "UTC", "ESCDELAY": "25"}
    for key in ("ASAN_OPTIONS", "UBSAN_OPTIONS", "LSAN_OPTIONS", "TSAN_OPTIONS"):
        if key in os.environ:
            base[key] = os.environ[key]
    base.update(env or {})
    return harness.clean_env(base, home)


def binary_session(args, env=None, home=None, rows=24, cols=80, cwd=None,
                   term="xterm-256color"):
    """The program under test (SC_BINARY, behind SC_BINARY_WRAPPER) in a
    Session with tui_env(env, home); home defaults to a fresh temp dir,
    which is also the default cwd, as in run_binary."""
    home = home or harness.tempdir("home-")
    argv = harness.wrapper() + [harness.binary_path()] + [str(a) for a in args]
    return Session(argv, tui_env(env, home, term), rows=rows, cols=cols, cwd=cwd or home)


def _set_winsize(fd, rows, cols):
    fcntl.ioctl(fd, termios.TIOCSWINSZ, struct.pack("HHHH", rows, cols, 0, 0))


def _resolve(program, env):
    """argv[0] as an absolute path, searched on env's PATH like execvp."""
    if os.sep in program:
        return os.path.abspath(program)
    found = shutil.which(program, path=env.get("PATH", os.defpath))
    if not found:
        raise FileNotFoundError(f"{program!r} not found on PATH")
    return found


class Session:
    """Runs argv in a pseudo-terminal of rows x cols and renders its output
    in a VTerm.

    env is the complete environment (see tui_env); TERM defaults to
    xterm-256color when missing.  The child is a session leader whose
    controlling terminal is the pty, so C-c raises SIGINT, SIGWINCH follows
    a resize and a closed master means SIGHUP, as under a real terminal.
    The pty size is set before the program starts.

    Every byte the program writes is kept (raw(), raw_since(), osc52()).
    Terminal replies (cursor position reports, device attributes) are
    written back to the program as libvterm produces them.
    """

    def __init__(self, argv, env=None, rows=24, cols=80, cwd=None):
        env = dict(env if env is not None else tui_env())
        env.setdefault("TERM", "xterm-256color")
        self.argv = [str(a) for a in argv]
        self.vt = VTerm(rows, cols)
        self._raw = bytearray()
        self._eof = False
        self._status = None                 # return code once known
        self._reaped = False
        self.last_send = None               # monotonic time of the last send()
        self.last_output = None             # monotonic time of the last output read
        self.fd, slave = os.openpty()       # both non-inheritable
        try:
            _set_winsize(slave, rows, cols)
            self.pid = self._spawn(os.ttyname(slave), env, cwd)
        except BaseException:
            os.close(self.fd)
            raise
        finally:
            os.close(slave)                 # else the master never sees EIO
        os.set_blocking(self.fd, False)
        _live_sessions.add(self)

    def _spawn(self, tty, env, cwd):
        """posix_spawn, not fork + Python code: test peers run in threads,
        and a forked child running Python could deadlock on their locks.
        setsid() happens before the file actions, so opening the pty slave
        as fd 0 makes it the controlling terminal."""
        argv = list(self.argv)
        path = _resolve(argv[0], env)
        if cwd is not None:                 # posix_spawn has no chdir here
            path, argv = shutil.which("env"), ["env", "-C", str(cwd), "--", path] + argv[1:]
        actions = [(os.POSIX_SPAWN_OPEN, 0, tty, os.O_RDWR, 0),
                   (os.POSIX_SPAWN_DUP2, 0, 1),
                   (os.POSIX_SPAWN_DUP2, 0, 2)]
        return os.posix_spawn(path, argv, env, file_actions=actions, setsid=True,
                              setsigdef=(signal.SIGPIPE, signal.SIGXFSZ, signal.SIGINT,
                                         signal.SIGHUP, signal.SIGTERM, signal.SIGWINCH),
                              setsigmask=())

    # -- context manager --

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()

    # -- input to the program --

    def send(self, data):
        """Write bytes (or a UTF-8 str) to the program as typed input.

        Returns the monotonic time of the write, also kept as last_send
        (wait_for measures from it)."""
        if isinstance(data, str):
            data = data.encode()
        self._write(data)
        self.last_send = time.monotonic()
        return self.last_send

    def key(self, name, count=1):
        """Press a named key count times (see VTerm.key_bytes for names:
        Enter Esc Tab BTab Up Down Left Right PgUp PgDn Home End F1..F12
        Backspace Space Delete C-c C-l M-x, or one character).  Cursor and
        Home/End keys follow the program's cursor-key mode as xterm does.
        Returns the send time."""
        return self.send(self.vt.key_bytes(name) * count)

    def _write(self, data, timeout=30):
        """Write everything, draining output meanwhile so neither side can
        block the other when both pty buffers are full."""
        deadline = _deadline(timeout)
        view = memoryview(data)
        while view:
            if self.fd is None:
                raise AssertionError("cannot send: the pty is closed")
            readable, writable, _ = select.select([self.fd] if not self._eof else [],
                                                  [self.fd], [], 0.05)
            if readable:
                self._read_once()
            if writable:
                try:
                    view = view[os.write(self.fd, view):]
                except BlockingIOError:
                    pass
                except OSError as e:        # EIO: the program is gone
                    raise AssertionError(f"cannot send to the program: {e}\n"
                                         f"{self.dump()}") from None
            if view and time.monotonic() > deadline:
                raise AssertionError(f"program did not read its input within "
                                     f"{timeout}s\n{self.dump()}")

    # -- output from the program --

    def _read_once(self):
        """Read what is available (non-blocking) into raw and the VTerm.
        Returns the byte count; marks EOF on EIO (all slave fds closed)."""
        if self._eof or self.fd is None:
            return 0
        try:
            data = os.read(self.fd, 65536)
        except BlockingIOError:
            return 0
        except OSError:
            data = b""
        if not data:
            self._eof = True
            return 0
        self.last_output = time.monotonic()
        self._raw += data
        self.vt.feed(data)
        reply = self.vt.take_output()
        if reply:
            try:
                os.write(self.fd, reply)   # small; a terminal answers at once
            except OSError:
                pass
        return len(data)

    def _wait_readable(self, seconds):
        if self._eof or self.fd is None:
            return False
        readable, _, _ = select.select([self.fd], [], [], max(0.0, seconds))
        return bool(readable)

    def pump(self, quiet=0.05, timeout=5):
        """Read output until none arrives for `quiet` seconds, the pty closes,
        or `timeout` passes (a program that never stops drawing cannot hang
        a test).  Returns the number of bytes read."""
        deadline = _deadline(timeout)
        total = 0
        while not self._eof and self.fd is not None:
            left = deadline - time.monotonic()
            if left <= 0:
                break
            if not self._wait_readable(min(quiet, left)):
                break
            total += self._read_once()
        return total

    def _drain_available(self):
        while self._wait_readable(0) and self._read_once():
            pass

    def _threads(self):
        """{tid: (state letter, context switches)} of the program's threads
        from /proc, or None when /proc cannot tell (not Linux, gone)."""
        try:
            tids = os.listdir(f"/proc/{self.pid}/task")
        except OSError:
            return None
        found = {}
        for tid in tids:
            try:
                with open(f"/proc/{self.pid}/task/{tid}/status") as f:
                    fields = dict(line.split(":", 1) for line in f if ":" in line)
                found[tid] = (fields["State"].split()[0],
                              int(fields["voluntary_ctxt_switches"])
                              + int(fields["nonvoluntary_ctxt_switches"]))
            except (OSError, KeyError, ValueError):
                continue                    # the thread ended meanwhile
        return found or None

    def settle(self, quiet=0.05, timeout=30):
        """Wait until the program is idle: every thread asleep (state S)
        and none of them ran, and no output came, during `quiet` seconds.
        Then every frame it drew is on the screen: this is a condition,
        not a pause, so a loaded machine only makes it slower.  A program
        that keeps working (a ticking clock) settles between ticks; one
        that never does ends the wait at the deadline (the check that
        follows reports the screen).  Without /proc it is pump(quiet)."""
        deadline = _deadline(timeout)
        while self.fd is not None and not self._eof and time.monotonic() < deadline:
            self._drain_available()
            if self._poll_status() is not None:
                self.pump(quiet)            # exited: read what it left
                return
            before = self._threads()
            if before is None:
                self.pump(quiet)
                return
            if self.pump(quiet=quiet, timeout=quiet):
                continue                    # output came: not idle yet
            after = self._threads()
            if (after == before and all(state == "S" for state, _ in after.values())
                    and not self._wait_readable(0)):
                return

    def wait_for(self, pattern, timeout=30, since=None):
        """Wait until the screen shows `pattern`: a str (substring of
        screen()), a compiled regex (searched in screen()) or a callable
        taking screen() and returning true.

        Returns the seconds from `since` (default: the last send(), or this
        call when nothing was sent) to when the screen first matched, for a
        "# note" line (never for a pass/fail bound: a loaded machine is slow).
        Raises AssertionError with the screen on timeout, or as soon as the
        program has exited without drawing it.
        """
        return self._wait(pattern, True, timeout, since)

    def wait_for_not(self, pattern, timeout=30, since=None):
        """Wait until the screen no longer shows `pattern` (see wait_for)."""
        return self._wait(pattern, False, timeout, since)

    def _wait(self, pattern, present, timeout, since):
        start = time.monotonic()
        since = since if since is not None else (self.last_send or start)
        deadline = _deadline(timeout)
        matches = _matcher(pattern)
        while True:
            self._drain_available()
            if matches(self.screen()) == present:
                return time.monotonic() - since
            if self._eof or self.fd is None:
                why = "the program's terminal closed" + self._exit_note()
                break
            left = deadline - time.monotonic()
            if left <= 0:
                why = f"{timeout * harness.timeout_factor():g}s passed"
                break
            if self._wait_readable(min(left, 0.5)):
                self._read_once()
        verb = "appear" if present else "disappear"
        raise AssertionError(f"{_describe(pattern)} did not {verb}: {why}\n{self.dump()}")

    def wait_raw(self, pattern, timeout=30, since=0):
        """Wait until raw output after byte offset `since` (see mark())
        contains `pattern` (bytes or compiled bytes regex); returns the
        match (a bytes or re.Match).  For escape sequences the screen does
        not show, such as OSC 52."""
        deadline = _deadline(timeout)
        while True:
            self._drain_available()
            tail = bytes(self._raw[since:])
            found = pattern.search(tail) if hasattr(pattern, "search") else (
                pattern if pattern in tail else None)
            if found:
                return found
            if self._eof or time.monotonic() > deadline:
                raise AssertionError(f"{pattern!r} not in output after byte {since}"
                                     f"{self._exit_note()}; got {tail[-500:]!r}\n{self.dump()}")
            self._wait_readable(min(0.5, max(0.0, deadline - time.monotonic())))

    # -- what the program wrote --

    def screen(self):
        """The screen text: one line per row, trailing spaces trimmed."""
        return self.vt.text()

    def lines(self):
        return self.vt.lines()

    def cursor(self):
        return self.vt.cursor()

    def attrs(self, row, col):
        return self.vt.attrs(row, col)

    def raw(self):
        """Every byte the program wrote so far."""
        return bytes(self._raw)

    def mark(self):
        """The current raw output length, for raw_since(); call pump() first
        if earlier output must not count."""
        return len(self._raw)

    def raw_since(self, mark):
        """Bytes written after mark() returned `mark` (e.g. the cost of a
        redraw after one key)."""
        return bytes(self._raw[mark:])

    def osc52(self):
        """Decoded OSC 52 payloads (str) found in the raw output so far, in
        order; plain, tmux-wrapped and screen-chunked forms, BEL or ST.
        parse_osc52(s.raw()) has the details (target, terminator, wrap)."""
        self._drain_available()
        return [e["text"] for e in parse_osc52(bytes(self._raw)) if e["text"] is not None]

    def dump(self):
        """The screen framed with its size and cursor, for failure messages."""
        rows, cols = self.vt.rows, self.vt.cols
        top = f"+-- screen {rows}x{cols}, cursor {self.cursor()} " + "-" * 20
        return "\n".join([top] + ["|" + line for line in self.lines()] + ["+" + "-" * len(top)])

    # -- size --

    def resize(self, rows, cols):
        """Resize the terminal: pending output is rendered at the old size,
        then TIOCSWINSZ on the pty (the kernel sends SIGWINCH to the
        program's foreground process group, as a terminal window does) and
        the VTerm takes the new size."""
        self._drain_available()
        self.vt.resize(rows, cols)
        if self.fd is not None:
            _set_winsize(self.fd, rows, cols)

    def winch(self):
        """Send SIGWINCH to the program's process group without a size
        change (a resize already delivers one)."""
        self._signal_group(signal.SIGWINCH)

    # -- process lifetime --

    def _poll_status(self):
        """The return code if the program has exited, else None.  Leaves a
        zombie until close(), so the process group id cannot be reused
        before close() kills the group."""
        if self._status is None:
            try:
                info = os.waitid(os.P_PID, self.pid, os.WEXITED | os.WNOHANG | os.WNOWAIT)
            except ChildProcessError:
                info = None
            if info is not None:
                code = info.si_status
                self._status = code if info.si_code == os.CLD_EXITED else -code
        return self._status

    def running(self):
        return self._poll_status() is None

    def exit_code(self, timeout=30):
        """Wait for the program to exit, reading its output meanwhile;
        returns its exit status (negative: killed by that signal).
        Raises AssertionError with the screen after `timeout`."""
        deadline = _deadline(timeout)
        while self._poll_status() is None:
            if time.monotonic() > deadline:
                raise AssertionError(f"program still running after {timeout}s: "
                                     f"{self.argv}\n{self.dump()}")
            if self._eof or self.fd is None:
                time.sleep(0.01)
            elif self._wait_readable(0.02):
                self._read_once()
        self._drain_available()
        return self._status

    def _exit_note(self):
        status = self._poll_status()
        return "" if status is None else f" (program exited with status {status})"

    def hangup(self):
        """Close the pty master, as when an SSH connection drops: the kernel
        sends SIGHUP to the program.  Output after this is lost."""
        self._drain_available()
        if self.fd is not None:
            os.close(self.fd)
            self.fd = None

    def _signal_group(self, sig):
        try:
            os.killpg(self.pid, sig)
        except (ProcessLookupError, PermissionError):
            pass

    def close(self, grace=0.5):
        """Stop the program and everything in its process group: SIGHUP,
        up to `grace` seconds to exit (output still read), then SIGKILL to
        the group; reap it and close the pty.  Idempotent; returns the exit
        status."""
        if self._reaped:
            return self._status
        if self._poll_status() is None:
            self._signal_group(signal.SIGHUP)
            self._signal_group(signal.SIGCONT)
            try:
                self.exit_code(timeout=grace / harness.timeout_factor())
            except AssertionError:
                pass
        # The leader is at most a zombie now, so its group id is still ours.
        self._signal_group(signal.SIGKILL)
        try:
            os.waitpid(self.pid, 0)
        except ChildProcessError:           # reaped elsewhere (os.wait in a test)
            pass
        self._reaped = True
        if self._status is None:
            self._status = -signal.SIGKILL
        if self.fd is not None:
            self._drain_available()
            os.close(self.fd)
            self.fd = None
        _live_sessions.discard(self)
        return self._status

    terminate = close

    def check_sanitizers(self):
        """Fail if a sanitizer report reached the terminal (stderr is the pty
        in a Session)."""
        harness.check_sanitizers(bytes(self._raw).decode("utf-8", "replace"), self.dump())

    def __del__(self):
        try:
            self.close()
        except Exception:
            pass


def _matcher(pattern):
    if callable(pattern):
        return lambda text: bool(pattern(text))
    if hasattr(pattern, "search"):
        return lambda text: pattern.search(text) is not None
    return lambda text: pattern in text


def _describe(pattern):
    if hasattr(pattern, "pattern"):
        return f"/{pattern.pattern}/"
    return getattr(pattern, "__name__", None) if callable(pattern) else repr(pattern)


# ----------------------------------------------------------------------------
# Golden screens
# ----------------------------------------------------------------------------

GOLDEN_DIR = os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(__file__))),
                          "ui", "screens")


def _normalise(text):
    """Trailing spaces and trailing empty rows do not count (editors strip
    them); every other row does."""
    lines = [line.rstrip() for line in text.split("\n")]
    while lines and not lines[-1]:
        lines.pop()
    return "\n".join(lines) + "\n"


def golden(name, text, directory=None):
    """Compare a screen with <directory>/<name>.screen (default
    tests/ui/screens).  `text` is a str, or a Session/VTerm (its screen).

    With UPDATE_GOLDEN=1 in the environment the file is (re)written and
    the check passes.  Otherwise a missing file or a difference raises
    AssertionError with a unified diff (--- golden, +++ actual).
    """
    if hasattr(text, "screen"):
        text = text.screen()
    elif hasattr(text, "text"):
        text = text.text()
    actual = _normalise(text)
    path = os.path.join(directory or GOLDEN_DIR, name + ".screen")
    if os.environ.get("UPDATE_GOLDEN") == "1":
        os.makedirs(os.path.dirname(path), exist_ok=True)
        with open(path, "w", encoding="utf-8") as f:
            f.write(actual)
        return path
    if not os.path.exists(path):
        raise AssertionError(f"no golden screen {path} (run with UPDATE_GOLDEN=1 to "
                             f"create it); actual screen:\n{actual}")
    with open(path, encoding="utf-8") as f:
        expected = _normalise(f.read())
    if expected != actual:
        diff = difflib.unified_diff(expected.splitlines(), actual.splitlines(),
                                    f"golden/{name}.screen", "actual", lineterm="")
        raise AssertionError(f"screen differs from {path} (UPDATE_GOLDEN=1 accepts it):\n"
                             + "\n".join(diff))
    return path


# ----------------------------------------------------------------------------
# tmux, for smoke tests
# ----------------------------------------------------------------------------

_tmux_ids = itertools.count()


class Tmux:
    """A private tmux server (own socket, no config, escape-time 0,
    remain-on-exit on so the last screen and exit status stay readable).

    run() starts the program in session "main"; the server, and so the
    pane, gets exactly `env` plus what tmux adds (TMUX, TMUX_PANE, TERM
    from default-terminal, "screen" unless term= is given).
    """

    def __init__(self, rows=24, cols=80, term=None):
        if not shutil.which("tmux"):
            raise harness.Skip("tmux is not installed")
        self.rows, self.cols, self.term = rows, cols, term
        self.socket = f"sc-vt-{os.getpid()}-{next(_tmux_ids)}-{os.urandom(3).hex()}"
        self.started = False
        self.socket_path = None
        self._windows = 0

    def _client_env(self, env=None):
        base = env if env is not None else harness.clean_env()
        return {k: v for k, v in base.items() if k not in ("TMUX", "TMUX_PANE")}

    def cmd(self, *args, env=None, check=True, timeout=30):
        """Run one tmux command on this server; returns its stdout."""
        r = subprocess.run(["tmux", "-L", self.socket, "-f", "/dev/null", *args],
                           env=self._client_env(env), capture_output=True, text=True,
                           timeout=timeout * harness.timeout_factor())
        if check and r.returncode != 0:
            raise AssertionError(f"tmux {' '.join(args)} failed ({r.returncode}): "
                                 f"{r.stderr.strip()}")
        return r.stdout

    def run(self, argv, env=None):
        """Start argv (a list) in a new window; the first call starts the
        server with `env` (default harness.clean_env()) as its
        environment.  Returns the target ("main:N")."""
        argv = [str(a) for a in argv]
        if not self.started:
            opts = ["start-server", ";", "set", "-s", "escape-time", "0", ";",
                    "set", "-s", "exit-empty", "off", ";",
                    "set", "-g", "remain-on-exit", "on", ";"]
            if self.term:
                opts += ["set", "-g", "default-terminal", self.term, ";"]
            self.cmd(*opts, "new-session", "-d", "-s", "main", "-x", str(self.cols),
                     "-y", str(self.rows), "--", *argv, env=env)
            self.started = True
            _live_tmux.add(self)
            self.socket_path = self.pane("#{socket_path}")
            return "main:0"
        extra = []
        for key, value in (env or {}).items():
            extra += ["-e", f"{key}={value}"]
        self._windows += 1
        self.cmd("new-window", "-t", f"main:{self._windows}", *extra, "--", *argv)
        self.cmd("resize-window", "-t", f"main:{self._windows}", "-x", str(self.cols),
                 "-y", str(self.rows))
        return f"main:{self._windows}"

    def send_keys(self, *keys, literal=False, target="main"):
        """tmux send-keys: key names (Enter, Escape, Up, C-c, BTab...) or,
        with literal=True, text sent as is."""
        self.cmd("send-keys", "-t", target, *(["-l"] if literal else []), *keys)

    def capture(self, target="main", escapes=False):
        """The pane text (capture-pane -p), trailing spaces trimmed."""
        out = self.cmd("capture-pane", "-p", "-t", target, *(["-e"] if escapes else []))
        return "\n".join(line.rstrip() for line in out.split("\n")).rstrip("\n")

    def wait_for(self, pattern, timeout=30, target="main"):
        """Poll capture() until it shows pattern (str, regex or callable);
        returns the seconds waited; AssertionError with the pane on timeout."""
        start = time.monotonic()
        deadline = _deadline(timeout)
        matches = _matcher(pattern)
        while True:
            text = self.capture(target)
            if matches(text):
                return time.monotonic() - start
            if time.monotonic() > deadline:
                raise AssertionError(f"{_describe(pattern)} did not appear in tmux "
                                     f"within {timeout}s:\n{text}")
            time.sleep(0.02)

    def show_buffer(self):
        """The most recent paste buffer, or None when there is none."""
        r = subprocess.run(["tmux", "-L", self.socket, "-f", "/dev/null", "show-buffer"],
                           env=self._client_env(), capture_output=True, text=True,
                           timeout=30 * harness.timeout_factor())
        return r.stdout if r.returncode == 0 else None

    def resize(self, rows, cols, target="main"):
        """resize-window: the program gets SIGWINCH."""
        self.rows, self.cols = rows, cols
        self.cmd("resize-window", "-t", target, "-x", str(cols), "-y", str(rows))

    def pane(self, fmt, target="main"):
        """A pane format value, e.g. pane("#{pane_pid}")."""
        return self.cmd("display-message", "-p", "-t", target, fmt).strip()

    def exit_code(self, timeout=30, target="main"):
        """Wait until the pane's program exits; returns its exit status, or
        None when tmux lost it: tmux 3.3a may mark a pane dead on pty EOF
        before it collects the status and then never show it (the race
        fixed upstream in tmux/tmux#4841), so smoke tests should check the
        screen and leave exact statuses to Session."""
        deadline = _deadline(timeout)
        while self.pane("#{pane_dead}", target) != "1":
            if time.monotonic() > deadline:
                raise AssertionError(f"tmux pane still running after {timeout}s:\n"
                                     f"{self.capture(target)}")
            time.sleep(0.02)
        status_deadline = _deadline(2)
        while True:
            status = self.pane("#{pane_dead_status}", target)
            if status or time.monotonic() > status_deadline:
                return int(status) if status else None
            time.sleep(0.02)

    def kill(self):
        """kill-server (ends the panes' programs with SIGHUP) and remove
        the socket file tmux 3.3a leaves behind; idempotent."""
        if self.started:
            self.cmd("kill-server", check=False)
            self.started = False
        if self.socket_path:
            try:
                os.unlink(self.socket_path)
            except FileNotFoundError:
                pass
            self.socket_path = None
        _live_tmux.discard(self)

    def alive(self):
        return subprocess.run(["tmux", "-L", self.socket, "-f", "/dev/null", "has-session"],
                              env=self._client_env(), capture_output=True).returncode == 0

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.kill()
