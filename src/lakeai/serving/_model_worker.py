"""A model worker: ``python -P _model_worker.py MODEL_DIR``; loads one MLflow model and serves it.

Why a script with tab-separated JSON lines instead of multiprocessing: the worker imports MLflow
and the model, never LakeAI, and nothing a model returns is unpickled in the server. Parsing the
request formats and serialising predictions is MLflow's own scoring code, so a model answers
exactly as under ``mlflow models serve``. Protocol, one line each way:

    <- 0 \\t 200 \\t {"ready": true}           once the model is loaded (500 and a message if not)
    -> <id> \\t <request JSON>
    <- <id> \\t <status> \\t <response JSON>     200 and the body, or 4xx/500 and {"message"}
"""

import json
import os
import sys


def _answer(out, job_id, status, payload):
    out.write(f"{job_id}\t{status}\t{payload}\n")
    out.flush()


def _error(out, job_id, status, message):
    _answer(out, job_id, status, json.dumps({"message": str(message)[:4000]}))


def _serve(model, out):
    from mlflow.exceptions import MlflowException
    from mlflow.pyfunc import scoring_server

    schema = model.metadata.get_input_schema()
    for line in sys.stdin:
        job_id, _, body = line.rstrip("\n").partition("\t")
        try:
            result = scoring_server.invocations(body, "application/json", model, schema)
            _answer(out, job_id, result.status, str(result.response).replace("\n", " "))
        except MlflowException as exc:
            cause = exc.__cause__ or exc.__context__
            detail = f" ({type(cause).__name__}: {cause})" if cause is not None else ""
            status = 400 if exc.get_http_status_code() < 500 else 500
            _error(out, job_id, status, exc.message + detail)
        except Exception as exc:  # a bug of the model must not end the worker
            _error(out, job_id, 500, f"{type(exc).__name__}: {exc}")


def main() -> None:
    out = os.fdopen(os.dup(1), "w", encoding="utf-8")
    os.dup2(2, 1)  # a model's print() must never corrupt the protocol stream
    sys.stdout = sys.stderr
    try:
        import mlflow.pyfunc

        model = mlflow.pyfunc.load_model(sys.argv[1])
    except BaseException as exc:
        _error(out, 0, 500, f"{type(exc).__name__}: {exc}")
        return
    _answer(out, 0, 200, json.dumps({"ready": True, "pid": os.getpid()}))
    _serve(model, out)


if __name__ == "__main__":
    main()
