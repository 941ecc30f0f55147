"""The `layerkit` command: `layerkit run prog.py [args...]` runs a Keras 2 program
with `keras` mapped onto layerkit; `layerkit summary FILE` prints the summary of a
saved model (.keras, .h5/.hdf5)."""
import argparse
import os
import runpy
import sys


def _run(args):
    from layerkit.compat import alias_keras
    alias_keras()
    path = args.program
    if not os.path.exists(path):
        print(f"layerkit run: no such file: {path}", file=sys.stderr)
        return 2
    sys.argv = [path] + list(args.args)
    sys.path.insert(0, os.path.dirname(os.path.abspath(path)))
    runpy.run_path(path, run_name="__main__")
    return 0


def _summary(args):
    from layerkit import saving
    for path in args.files:
        try:
            model = saving.load_model(path, compile=False, safe_mode=not args.unsafe)
        except (OSError, ValueError) as e:
            print(f"layerkit summary: {e}", file=sys.stderr)
            return 1
        model.summary()
    return 0


def main(argv=None):
    parser = argparse.ArgumentParser(prog="layerkit", description=__doc__)
    sub = parser.add_subparsers(dest="command", required=True)
    run = sub.add_parser("run", help="run a Keras program on layerkit")
    run.add_argument("program")
    run.add_argument("args", nargs=argparse.REMAINDER)
    summary = sub.add_parser("summary", help="print the summary of saved models")
    summary.add_argument("files", nargs="+", metavar="FILE")
    summary.add_argument("--unsafe", action="store_true",
                         help="allow functions stored as Python bytecode (Lambda layers, "
                              "control-flow ops): runs code from the file, only for files "
                              "you trust")
    args = parser.parse_args(argv)
    return _run(args) if args.command == "run" else _summary(args)


if __name__ == "__main__":
    sys.exit(main())
