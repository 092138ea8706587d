# sipf4j test harness: runs solution.py as a module, then each check in its namespace, and writes the outcome
# as JSON to the file named by argv[1]. The Java side (PythonExecutor) reads that file; stdout and stderr belong
# to the candidate program.
import json
import sys
import traceback


def _write(path, status, message):
    import os
    if os.path.exists(path):
        # Only the harness writes this file, once, at the end: a file already there was forged by the program.
        status, message = "CRASHED", "the program tampered with the harness result file"
    with open(path, "w", encoding="utf-8") as out:
        json.dump({"status": status, "message": message[:2000]}, out)


def _describe(exc):
    text = str(exc)
    name = type(exc).__name__
    return name + (": " + text if text else "")


def _innermost_solution_line(exc):
    found = None
    for frame in traceback.extract_tb(exc.__traceback__):
        if frame.filename == "solution.py":
            found = "line %d: %s" % (frame.lineno, (frame.line or "").strip())
    return found


def main():
    result_path = sys.argv[1]
    del sys.argv[1:]
    with open("checks.json", encoding="utf-8") as f:
        checks = json.load(f)
    with open("solution.py", encoding="utf-8") as f:
        source = f.read()
    namespace = {"__name__": "__sipf4j_candidate__", "__builtins__": __builtins__}
    try:
        code = compile(source, "solution.py", "exec")
    except SyntaxError as e:
        _write(result_path, "CRASHED", "SyntaxError: %s (solution.py line %s)" % (e.msg, e.lineno))
        return
    except BaseException as e:  # ValueError for NUL bytes, MemoryError, ...
        _write(result_path, "CRASHED", _describe(e))
        return
    try:
        exec(code, namespace)
    except MemoryError as e:
        _write(result_path, "CRASHED", "MemoryError while loading the program")
        return
    except BaseException as e:
        where = _innermost_solution_line(e)
        _write(result_path, "CRASHED",
               _describe(e) + " while loading the program" + (" at " + where if where else ""))
        return
    for i, check in enumerate(checks):
        name = "<check %d>" % i
        try:
            exec(compile(check, name, "exec"), namespace)
        except MemoryError:
            _write(result_path, "CRASHED", "MemoryError in " + check.strip())
            return
        except BaseException as e:
            where = _innermost_solution_line(e)
            _write(result_path, "FAILED",
                   check.strip() + " -> " + _describe(e) + (" at " + where if where else ""))
            return
    _write(result_path, "PASSED", "")


main()
