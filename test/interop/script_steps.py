"""What every interop script prints and asserts: one "ok  NAME" line per step passed (the vitest side
counts them), a failed expectation as an AssertionError with what was expected."""
import hashlib


def sha256(data):
    return hashlib.sha256(data).digest()


def step(name):
    print("ok  " + name, flush=True)


def check(cond, what):
    if not cond:
        raise AssertionError(what)
