"""Corpo de `POST /v1/chat/completions`: só o que o fake LLM usa; o resto é aceito e ignorado."""

from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field

Role = Literal["system", "developer", "user", "assistant", "tool", "function"]


class ChatMessage(BaseModel):
    model_config = ConfigDict(extra="allow")

    role: Role
    # Texto puro ou lista de partes ({"type": "text", "text": ...}), como na API da OpenAI.
    content: str | list[dict[str, Any]] | None = None
    name: str | None = None
    tool_calls: list[dict[str, Any]] | None = None
    tool_call_id: str | None = None

    def text(self) -> str:
        """O conteúdo como texto (partes de texto concatenadas)."""
        if isinstance(self.content, list):
            return "".join(str(part.get("text", "")) for part in self.content)
        return self.content or ""

    def for_log(self) -> dict[str, Any]:
        """Forma registrada no log do admin: role, content e campos de ferramenta se houver."""
        entry: dict[str, Any] = {"role": self.role, "content": self.content}
        for key in ("name", "tool_calls", "tool_call_id"):
            if (value := getattr(self, key)) is not None:
                entry[key] = value
        return entry


class ToolFunction(BaseModel):
    model_config = ConfigDict(extra="allow")

    name: str = Field(min_length=1)
    description: str | None = None
    parameters: dict[str, Any] = Field(default_factory=dict)


class Tool(BaseModel):
    model_config = ConfigDict(extra="allow")

    type: Literal["function"] = "function"
    function: ToolFunction


class StreamOptions(BaseModel):
    model_config = ConfigDict(extra="allow")

    include_usage: bool = False


class ChatRequest(BaseModel):
    model_config = ConfigDict(extra="allow")

    model: str = Field(min_length=1)
    messages: list[ChatMessage] = Field(min_length=1)
    stream: bool = False
    stream_options: StreamOptions | None = None
    tools: list[Tool] | None = None
    tool_choice: str | dict[str, Any] | None = None

    @property
    def include_usage(self) -> bool:
        return bool(self.stream_options and self.stream_options.include_usage)

    def chosen_tool(self) -> Tool | None:
        """A ferramenta a chamar: a pedida em `tool_choice`, senão a primeira; None com "none"."""
        if not self.tools or self.tool_choice == "none":
            return None
        wanted = (self.tool_choice or {}).get("function", {}).get("name") \
            if isinstance(self.tool_choice, dict) else None
        return next((t for t in self.tools if t.function.name == wanted), self.tools[0])

    def last_user_text(self) -> str:
        """Texto da última mensagem do usuário (ou da última mensagem, se não houver)."""
        users = [m for m in self.messages if m.role == "user"]
        return (users or self.messages)[-1].text()

    def pending_tool_results(self) -> list[ChatMessage]:
        """Mensagens `tool` que chegaram depois da última mensagem do usuário."""
        results: list[ChatMessage] = []
        for message in reversed(self.messages):
            if message.role == "user":
                break
            if message.role == "tool":
                results.insert(0, message)
        return results
