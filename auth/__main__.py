"""Manage sign-in users and kiosk tokens (README "Sign-in and roles").

    python -m auth users add NAME --role viewer|operator|admin   # password from a prompt or stdin
    python -m auth users set-role NAME ROLE
    python -m auth users passwd NAME                              # password from a prompt or stdin
    python -m auth users disable NAME | enable NAME
    python -m auth users list
    python -m auth users hash                                     # a users-file hash, from a prompt or stdin
    python -m auth kiosk create LABEL [--by NAME]                 # prints the token and the wall URL once
    python -m auth kiosk list
    python -m auth kiosk revoke ID

A password is never taken from the command line (it would sit in the shell history and in
`ps` output): it is asked for twice on a terminal, or read as the first line of standard input.
"""

from __future__ import annotations

import argparse
import getpass
import sys

from common.identity import Role


def read_password(stdin=None, prompt=getpass.getpass) -> str:
    """A new password: asked twice on a terminal, else the first line of stdin."""
    stdin = stdin or sys.stdin
    if stdin.isatty():
        first = prompt("Password: ")
        if first != prompt("Again: "):
            raise ValueError("the two passwords differ")
        return first
    return stdin.readline().rstrip("\r\n")


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="python -m auth", description=__doc__.splitlines()[0])
    top = parser.add_subparsers(dest="area", required=True)
    users = top.add_parser("users", help="password users (mc_users)").add_subparsers(dest="action", required=True)
    add = users.add_parser("add", help="add a user (password from a prompt or stdin)")
    add.add_argument("name")
    add.add_argument("--role", default="viewer", help="viewer (default), operator or admin")
    role = users.add_parser("set-role", help="change a user's role")
    role.add_argument("name")
    role.add_argument("role")
    for action in ("passwd", "disable", "enable"):
        users.add_parser(action).add_argument("name")
    users.add_parser("list")
    users.add_parser("hash", help="print an argon2 hash for a MC_AUTH_USERS_FILE line")
    kiosk = top.add_parser("kiosk", help="kiosk tokens for wall screens").add_subparsers(dest="action", required=True)
    create = kiosk.add_parser("create", help="create a token; it is printed once")
    create.add_argument("label")
    create.add_argument("--by", default="cli", help="who made it (recorded)")
    kiosk.add_parser("list")
    kiosk.add_parser("revoke").add_argument("id", type=int)
    return parser


def run(args, engine, settings, out=sys.stdout, stdin=None) -> int:
    """Carry out parsed `args` against `engine` (the mc_ database); returns the exit status."""
    from auth import kiosk, passwords, users

    if args.area == "users":
        if args.action == "add":
            users.add_user(engine, args.name, read_password(stdin), Role.parse(args.role))
            print(f"added {args.name.strip()} ({Role.parse(args.role).label})", file=out)
        elif args.action == "set-role":
            users.set_role(engine, args.name, Role.parse(args.role))
            print(f"{args.name} is now {Role.parse(args.role).label}", file=out)
        elif args.action == "passwd":
            users.set_password(engine, args.name, read_password(stdin))
            print(f"password of {args.name} changed", file=out)
        elif args.action in ("disable", "enable"):
            users.set_disabled(engine, args.name, args.action == "disable")
            print(f"{args.name} {args.action}d", file=out)
        elif args.action == "hash":
            print(passwords.hash_password(read_password(stdin)), file=out)
        else:
            for row in users.table_users(engine):
                state = "disabled" if row["disabled"] else "active"
                print(
                    f"{row['name']}\t{row['role']}\t{state}\tupdated {row['updated_at']:%Y-%m-%d %H:%M} UTC", file=out
                )
        return 0
    if args.action == "create":
        token_id, token = kiosk.create(engine, args.label, args.by)
        base = (settings.public_url or settings.dashboard_url).rstrip("/")
        print(f"kiosk token {token_id} for {args.label!r} (shown once; only its hash is kept):\n{token}", file=out)
        print(f"wall URL: {base}/?kiosk={token}", file=out)
    elif args.action == "revoke":
        if not kiosk.revoke(engine, args.id):
            print(f"no live kiosk token {args.id}", file=sys.stderr)
            return 1
        print(f"kiosk token {args.id} revoked", file=out)
    else:
        for row in kiosk.listing(engine):
            state = f"revoked {row['revoked_at']:%Y-%m-%d %H:%M}" if row["revoked_at"] else "live"
            used = f"{row['last_used_at']:%Y-%m-%d %H:%M}" if row["last_used_at"] else "never"
            print(f"{row['id']}\t{row['label']}\tby {row['created_by']}\tused {used}\t{state}", file=out)
    return 0


def main(argv: list[str] | None = None) -> int:
    from config import cli_settings
    from data.bootstrap import create_mc_tables
    from data.connections import make_engine

    args = _parser().parse_args(argv)
    settings = cli_settings()
    engine = make_engine(settings.own_database_url)
    try:
        create_mc_tables(engine)
        return run(args, engine, settings)
    except ValueError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1
    finally:
        engine.dispose()


if __name__ == "__main__":
    sys.exit(main())
