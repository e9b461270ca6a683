"""Real clients against a real LakeAI server: openai, mlflow.deployments, databricks-sdk, LangChain.

Each test creates its own endpoints (uuid-suffixed) on the session's live server, pointing at
the fake OpenAI upstream, so the tests run in parallel without seeing each other's state.
"""

from __future__ import annotations

import uuid
from typing import Any

import httpx
import pytest

from tests.serving.conftest import FAKE_KEY, openai_entity

BASE = "/api/2.0/serving-endpoints"


@pytest.fixture
def http(live_server) -> httpx.Client:
    headers = {"Authorization": f"Bearer {live_server.token}"}
    with httpx.Client(base_url=live_server.url, headers=headers) as client:
        yield client


@pytest.fixture
def live_endpoint(http, upstream):
    """``live_endpoint(task, **extra)`` creates an endpoint on the live server; name returned."""
    http.post("/api/2.0/secrets/scopes/create", json={"scope": "vendor"})  # 409 when it exists
    put = {"scope": "vendor", "key": "openai", "string_value": FAKE_KEY}
    assert http.post("/api/2.0/secrets/put", json=put).status_code == 200

    def make(task: str = "llm/v1/chat", **extra: Any) -> str:
        name = f"ep-{uuid.uuid4().hex[:8]}"
        model = "text-embedding-3-small" if task.endswith("embeddings") else "gpt-4o-mini"
        entity = openai_entity("main", upstream, task=task, model=model)
        body = {"name": name, "config": {"served_entities": [entity]}, **extra}
        response = http.post(BASE, json=body)
        assert response.status_code == 200, response.text
        return name

    return make


@pytest.fixture(params=["/serving-endpoints", "/v1"])
def oai(request, live_server):
    import openai

    url = live_server.url + request.param
    with openai.OpenAI(base_url=url, api_key=live_server.token, max_retries=0) as client:
        yield client


def test_openai_chat_stream_embeddings_models(oai, live_endpoint):
    chat, embed = live_endpoint(), live_endpoint("llm/v1/embeddings")
    messages = [{"role": "user", "content": "where is my order"}]
    answer = oai.chat.completions.create(model=chat, messages=messages)
    assert answer.choices[0].message.content == "You said: where is my order"
    stream = oai.chat.completions.create(model=chat, messages=messages, stream=True)
    text = "".join(c.choices[0].delta.content or "" for c in stream if c.choices)
    assert text == answer.choices[0].message.content
    vectors = oai.embeddings.create(model=embed, input=["a b", "c"])  # base64 by default
    assert [len(d.embedding) for d in vectors.data] == [8, 8]
    assert all(isinstance(x, float) for x in vectors.data[0].embedding)
    floats = oai.embeddings.create(model=embed, input="a b", encoding_format="float")
    assert floats.data[0].embedding == pytest.approx(vectors.data[0].embedding, abs=1e-6)
    assert {chat, embed} <= {m.id for m in oai.models.list()}


def test_openai_errors(oai, live_endpoint):
    import openai

    messages = [{"role": "user", "content": "hi"}]
    with pytest.raises(openai.NotFoundError):
        oai.chat.completions.create(model="no-such-endpoint", messages=messages)
    limits = {"rate_limits": [{"calls": 1, "key": "endpoint", "renewal_period": "minute"}]}
    limited = live_endpoint(ai_gateway=limits)
    oai.chat.completions.create(model=limited, messages=messages)
    with pytest.raises(openai.RateLimitError):
        oai.chat.completions.create(model=limited, messages=messages)


def test_mlflow_deployments_client(live_server, live_endpoint, monkeypatch):
    from mlflow.deployments import get_deploy_client

    monkeypatch.setenv("MLFLOW_TRACKING_TOKEN", live_server.token)
    limits = {"rate_limits": [{"calls": 50, "key": "user", "renewal_period": "minute"}]}
    chat = live_endpoint(ai_gateway=limits)
    client = get_deploy_client(live_server.url)
    listed = {e.name: e for e in client.list_endpoints()}
    assert listed[chat].endpoint_type == "llm/v1/chat"
    endpoint = client.get_endpoint(chat)
    assert endpoint.model.provider == "openai" and endpoint.model.name == "gpt-4o-mini"
    assert endpoint.limit.calls == 50 and endpoint.limit.renewal_period == "minute"
    assert endpoint.endpoint_url == f"{live_server.url}/endpoints/{chat}/invocations"
    inputs = {"messages": [{"role": "user", "content": "hello"}]}
    answer = client.predict(endpoint=chat, inputs=inputs)
    assert answer["choices"][0]["message"]["content"] == "You said: hello"


def test_mlflow_paths_need_auth_and_health_does_not(live_server):
    assert httpx.get(live_server.url + "/health").json() == {"status": "OK"}
    assert httpx.get(live_server.url + "/api/2.0/endpoints/").status_code == 401
    gateway = httpx.post(live_server.url + "/gateway/x/invocations", json={})
    assert gateway.status_code == 401


def test_databricks_sdk_lifecycle(dbx, live_endpoint, upstream):
    from databricks.sdk.service.serving import (
        ChatMessage,
        ChatMessageRole,
        EndpointCoreConfigInput,
        ExternalModel,
        ExternalModelProvider,
        OpenAiConfig,
        ServedEntityInput,
    )

    live_endpoint()  # stores the vendor secret
    name = f"sdk-{uuid.uuid4().hex[:8]}"

    def config(entity: str) -> EndpointCoreConfigInput:
        openai_config = OpenAiConfig(
            openai_api_key="{{secrets/vendor/openai}}", openai_api_base=upstream
        )
        model = ExternalModel(
            provider=ExternalModelProvider.OPENAI,
            name="gpt-4o-mini",
            task="llm/v1/chat",
            openai_config=openai_config,
        )
        return EndpointCoreConfigInput(
            name=name, served_entities=[ServedEntityInput(name=entity, external_model=model)]
        )

    created = dbx.serving_endpoints.create(name, config=config("first")).result()
    assert created.name == name and created.state.config_update.value == "NOT_UPDATING"
    assert dbx.serving_endpoints.get(name).task == "llm/v1/chat"
    assert name in {e.name for e in dbx.serving_endpoints.list()}
    message = ChatMessage(role=ChatMessageRole.USER, content="hi")
    answer = dbx.serving_endpoints.query(name, messages=[message])
    assert answer.choices[0].message.content == "You said: hi"
    assert answer.served_model_name == "first"
    updated = dbx.serving_endpoints.update_config_and_wait(
        name, served_entities=config("second").served_entities
    )
    assert updated.config.config_version == 2
    assert dbx.serving_endpoints.query(name, messages=[message]).served_model_name == "second"
    dbx.serving_endpoints.delete(name)
    assert name not in {e.name for e in dbx.serving_endpoints.list()}


def test_langchain_chat_and_embeddings(live_server, live_endpoint):
    from langchain_openai import ChatOpenAI, OpenAIEmbeddings

    chat, embed = live_endpoint(), live_endpoint("llm/v1/embeddings")
    url = live_server.url + "/serving-endpoints"
    llm = ChatOpenAI(base_url=url, api_key=live_server.token, model=chat, max_retries=0)
    assert llm.invoke("hi").content == "You said: hi"
    embeddings = OpenAIEmbeddings(
        base_url=url, api_key=live_server.token, model=embed, check_embedding_ctx_length=False
    )
    assert len(embeddings.embed_query("hi")) == 8
