// Chat do curso: login em /login, envio para POST /chat com stream: true e leitura do SSE.
//
// Por que fetch e não EventSource? EventSource só faz GET e não deixa mandar o cabeçalho
// Authorization. Com fetch fazemos POST com o token e lemos o corpo aos pedaços
// (ReadableStream), montando os eventos SSE nós mesmos com um parser pequeno.
//
// As respostas do assistente são Markdown: marked as converte em HTML e DOMPurify limpa esse
// HTML antes de ele entrar na página (os dois vêm de static/vendor/, veja o README de lá).
"use strict";

// Estado da página. O token fica SÓ na memória: recarregar a página pede login de novo
// (nada de localStorage, que qualquer script injetado conseguiria ler).
const state = {
  token: null,
  username: "",
  history: [], // [{role: "user" | "assistant", content}], enviado a cada mensagem
  controller: null, // AbortController da resposta em andamento (para o botão Parar)
};
// O servidor aceita no máximo 50 itens de histórico (MAX_HISTORY_ITEMS): mandamos só os últimos.
const MAX_HISTORY_ITEMS = 50;

const $ = (id) => document.getElementById(id);

// ---------------------------------------------------------------------------
// Parser de SSE (Server-Sent Events), incremental, como manda a especificação do HTML:
// - uma linha termina em "\n", "\r\n" ou "\r";
// - "data:" pode se repetir num evento: as partes se juntam com "\n";
// - uma linha que começa com ":" é comentário (ping) e é ignorada;
// - "event:" dá o nome do evento ("message" se faltar);
// - uma linha vazia encerra o evento.
// feed(texto) recebe um pedaço qualquer do corpo e devolve os eventos completos.
// ---------------------------------------------------------------------------
function createSseParser() {
  let buffer = "";
  let eventName = "";
  let dataLines = [];
  let skipLineFeed = false;

  function processLine(line) {
    if (line === "") {
      const complete = dataLines.length > 0;
      const event = { event: eventName || "message", data: dataLines.join("\n") };
      eventName = "";
      dataLines = [];
      return complete ? event : null;
    }
    if (line.startsWith(":")) return null; // comentário, ex.: ": ping"
    const colon = line.indexOf(":");
    const field = colon === -1 ? line : line.slice(0, colon);
    let value = colon === -1 ? "" : line.slice(colon + 1);
    if (value.startsWith(" ")) value = value.slice(1); // só UM espaço sai: " Olá" vira "Olá"
    if (field === "data") dataLines.push(value);
    if (field === "event") eventName = value;
    return null; // "id" e "retry" não são usados aqui
  }

  function feed(chunk) {
    // Um pedaço que terminou em "\r" pode ser a metade de um "\r\n": o "\n" que vier
    // logo depois é o mesmo fim de linha, e não uma linha vazia a mais.
    if (chunk === "") return [];
    if (skipLineFeed && chunk.startsWith("\n")) chunk = chunk.slice(1);
    buffer += chunk;
    const events = [];
    const lineEnd = /\r\n|\r|\n/g;
    let start = 0;
    let match;
    while ((match = lineEnd.exec(buffer)) !== null) {
      const event = processLine(buffer.slice(start, match.index));
      if (event) events.push(event);
      start = lineEnd.lastIndex;
    }
    skipLineFeed = start > 0 && start === buffer.length && buffer[start - 1] === "\r";
    buffer = buffer.slice(start);
    return events;
  }

  return { feed };
}

// Alguns servidores (ex.: fastapi.sse) mandam cada texto codificado em JSON: data: "Olá".
function decodeData(data) {
  if (data.length >= 2 && data.startsWith('"') && data.endsWith('"')) {
    try {
      const value = JSON.parse(data);
      if (typeof value === "string") return value;
    } catch {
      // não era JSON: fica o texto como veio
    }
  }
  return data;
}

function parseJson(text) {
  try {
    return JSON.parse(text);
  } catch {
    return null;
  }
}

// ---------------------------------------------------------------------------
// Mensagens de erro em pt-BR
// ---------------------------------------------------------------------------
const HTTP_ERRORS = {
  401: "Sua sessão expirou ou o token não vale mais. Entre de novo.",
  422: "O servidor recusou os dados enviados.",
  429: "Muitas respostas ao mesmo tempo. Espere um pouco e tente de novo.",
};

async function readDetail(response) {
  const body = parseJson(await response.text().catch(() => ""));
  const detail = body && body.detail;
  if (typeof detail === "string") return detail;
  if (Array.isArray(detail)) return detail.map((item) => item.msg || JSON.stringify(item)).join("; ");
  return "";
}

function describeHttpError(status, detail) {
  let message = HTTP_ERRORS[status];
  if (!message && status >= 500) message = `O servidor falhou (erro ${status}). Tente de novo em instantes.`;
  if (!message) message = `O servidor respondeu com o erro ${status}.`;
  return detail ? `${message} Detalhe: ${detail}` : message;
}

// ---------------------------------------------------------------------------
// Login
// ---------------------------------------------------------------------------
async function login(username, password) {
  const response = await fetch("login", {
    method: "POST",
    headers: { "Content-Type": "application/json" },
    body: JSON.stringify({ username, password }),
  });
  if (response.status === 401) throw new Error("Usuário ou senha incorretos.");
  if (!response.ok) throw new Error(describeHttpError(response.status, await readDetail(response)));
  const body = await response.json();
  return body.access_token;
}

async function onLoginSubmit(event) {
  event.preventDefault();
  const error = $("login-error");
  const button = $("login-button");
  error.hidden = true;
  button.disabled = true;
  try {
    state.token = await login($("username").value.trim(), $("password").value);
    state.username = $("username").value.trim();
    $("password").value = "";
    showChat();
  } catch (err) {
    // TypeError do fetch = nem chegou ao servidor
    error.textContent = err instanceof TypeError ? "Não foi possível falar com o servidor. Ele está rodando?" : err.message;
    error.hidden = false;
  } finally {
    button.disabled = false;
  }
}

function showChat() {
  $("login-view").hidden = true;
  $("chat-view").hidden = false;
  $("session").hidden = false;
  $("whoami").textContent = `Conectado como ${state.username}`;
  $("message").focus();
}

function showLogin(message) {
  state.controller?.abort();
  state.token = null;
  state.history = [];
  $("chat-view").hidden = true;
  $("session").hidden = true;
  $("login-view").hidden = false;
  $("login-error").textContent = message || "";
  $("login-error").hidden = !message;
  $("password").focus();
}

// ---------------------------------------------------------------------------
// Markdown do assistente → DOM seguro
//
// O texto do modelo NÃO é confiável: ele pode repetir o que alguém injetou no prompt (uma
// página ou um documento que o modelo leu, uma mensagem maliciosa). HTML vindo dele, posto na
// página sem limpeza, roda como código nosso (XSS). Por isso, camadas:
// 1. marked converte o Markdown, mas o HTML cru do texto aparece como texto ("<script>" fica
//    visível, como em qualquer chat) e uma imagem vira link (uma <img> baixaria sozinha uma URL
//    escolhida pelo modelo, que pode levar dados da conversa na query string);
// 2. DOMPurify deixa passar só o que está na lista abaixo: tags do Markdown, nenhum atributo de
//    evento (onerror, onclick...) e links só http, https ou mailto (o href de um
//    [link](javascript:...) some);
// 3. o Content-Security-Policy do index.html só deixa rodar scripts dos nossos arquivos.
// O DOMPurify devolve nós prontos (RETURN_DOM_FRAGMENT): a página continua sem innerHTML.
// ---------------------------------------------------------------------------
const escapeHtml = (text) => text.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;");

const markdown = new marked.Marked({
  gfm: true, // o Markdown do GitHub: tabelas, ~~riscado~~, links automáticos
  breaks: true, // uma quebra de linha do modelo vira <br>: o texto aparece com as linhas que veio
  renderer: {
    // HTML cru no meio do Markdown: escapado, vira texto.
    html: ({ text, block }) => (block ? `<p>${escapeHtml(text)}</p>` : escapeHtml(text)),
  },
  walkTokens(token) {
    if (token.type === "image") token.type = "link"; // ![texto](url) vira [texto](url)
  },
});

const SANITIZE_OPTIONS = {
  ALLOWED_TAGS: ["p", "br", "strong", "em", "del", "code", "pre", "ul", "ol", "li", "a", "blockquote",
    "h1", "h2", "h3", "h4", "h5", "h6", "hr", "table", "thead", "tbody", "tr", "th", "td"],
  ALLOWED_ATTR: ["href", "title", "start", "align"],
  // Um atributo com esquema (href="xyz:...") só passa se o esquema for http, https ou mailto; fora
  // isso, o formato é o da expressão padrão do DOMPurify (passam valores sem esquema: "3", "/docs").
  ALLOWED_URI_REGEXP: /^(?:(?:https?|mailto):|[^a-z]|[a-z+.-]+(?:[^a-z+.\-:]|$))/i,
  RETURN_DOM_FRAGMENT: true,
};

// HTML → fragmento de DOM limpo, com links que abrem em outra aba com segurança.
function sanitize(html) {
  const fragment = DOMPurify.sanitize(html, SANITIZE_OPTIONS);
  for (const link of fragment.querySelectorAll("a[href]")) {
    link.target = "_blank"; // outra aba: esta guarda o login e a conversa
    link.rel = "noopener noreferrer"; // a aba nova não alcança esta (window.opener) nem sabe de onde veio
  }
  return fragment;
}

function renderMarkdown(text) {
  const fragment = sanitize(markdown.parse(text));
  fragment.querySelectorAll("pre").forEach(addCopyButton);
  return fragment;
}

// Bloco de código: um botão "Copiar" junto do <pre>.
function addCopyButton(pre) {
  const box = document.createElement("div");
  box.className = "code-box";
  const button = document.createElement("button");
  button.type = "button";
  button.className = "copy secondary";
  button.textContent = "Copiar";
  button.title = "Copiar o código";
  let timer = 0;
  button.addEventListener("click", async () => {
    button.textContent = await copyCode(pre);
    clearTimeout(timer);
    timer = setTimeout(() => (button.textContent = "Copiar"), 2000); // o rótulo volta depois de 2 s
  });
  pre.replaceWith(box);
  box.append(button, pre);
}

// Copia o texto do bloco (sem a quebra de linha final) e devolve o novo rótulo do botão.
async function copyCode(pre) {
  try {
    await navigator.clipboard.writeText(pre.textContent.replace(/\n$/, ""));
    return "Copiado!";
  } catch {
    // Sem permissão, ou fora de um contexto seguro (https ou localhost) não há navigator.clipboard:
    // o código fica selecionado para a pessoa copiar com o teclado.
    window.getSelection().selectAllChildren(pre);
    return "Use Ctrl+C";
  }
}

// ---------------------------------------------------------------------------
// Conversa: bolhas de mensagem e auto-scroll
// ---------------------------------------------------------------------------
function isNearBottom() {
  const box = $("messages");
  return box.scrollHeight - box.scrollTop - box.clientHeight < 80;
}

// Segue o texto só se a pessoa já estava no fim: quem rolou para cima para reler não é puxado.
function keepScrolled(change) {
  const follow = isNearBottom();
  change();
  if (follow) $("messages").scrollTop = $("messages").scrollHeight;
}

function addMessage(role, text) {
  const article = document.createElement("article");
  article.className = `message ${role}`;
  const author = document.createElement("h3");
  author.className = "author";
  author.textContent = role === "user" ? "Você" : "Assistente";
  const body = document.createElement("div");
  body.className = "text";
  body.textContent = text; // texto puro: o que a pessoa digitou nunca vira HTML
  article.append(author, body);
  $("empty-hint").hidden = true;
  keepScrolled(() => $("messages").append(article));
  return article;
}

function addNote(article, text, kind) {
  const note = document.createElement("p");
  note.className = kind; // "error" ou "note"
  if (kind === "error") note.setAttribute("role", "alert");
  note.textContent = text;
  keepScrolled(() => article.append(note));
}

// Extras (evento "done" de /api/stream/chat): o especialista. Os blocos de código do evento
// já aparecem na própria resposta, renderizada como Markdown.
function addDoneDetails(article, info) {
  if (info && typeof info === "object" && info.specialist) {
    addNote(article, `Especialista: ${info.specialist}`, "note");
  }
}

// A resposta em construção: junta o texto, desenha o Markdown e mostra erros na bolha.
function createReply() {
  const article = addMessage("assistant", "");
  article.classList.add("streaming");
  const body = article.querySelector(".text");
  body.classList.add("markdown");
  let frame = 0; // desenho já pedido ao navegador (0 = nenhum)

  // Refaz o Markdown do texto inteiro: uma lista ou um bloco de código só fecha com o que vem depois.
  function render() {
    frame = 0;
    keepScrolled(() => body.replaceChildren(renderMarkdown(reply.text)));
  }

  const reply = {
    article,
    text: "", // o Markdown cru, exatamente como o modelo mandou (é ele que vai no histórico)
    failed: false,
    // Cada token só junta texto e pede UM desenho para o próximo quadro da tela (~60 por segundo):
    // 500 tokens num segundo custam uns 60 desenhos, não 500.
    append(token) {
      this.text += token;
      if (!frame) frame = requestAnimationFrame(render);
    },
    fail(message) {
      this.failed = true;
      addNote(article, message, "error");
    },
    // O desenho final é na hora: numa aba escondida o navegador pausa o requestAnimationFrame.
    finish() {
      cancelAnimationFrame(frame);
      render();
      article.classList.remove("streaming");
    },
  };
  return reply;
}

// Trata um evento SSE. Devolve true quando a resposta acabou.
function handleEvent(event, reply) {
  const data = decodeData(event.data);
  switch (event.event) {
    case "message":
      if (data === "[DONE]") return true;
      reply.append(data);
      return false;
    case "token": // extras: {"token": "..."}
      reply.append(parseJson(data)?.token ?? "");
      return false;
    case "error": {
      const detail = parseJson(data)?.detail || data;
      reply.fail(`O modelo falhou no meio da resposta. Detalhe: ${detail}`);
      return false; // o servidor ainda manda [DONE]
    }
    case "done": // extras: fim com o texto completo e metadados
      addDoneDetails(reply.article, parseJson(data));
      return true;
    case "cancelled":
      return true;
    default:
      return false; // eventos que a página não usa (ex.: "start")
  }
}

// Lê o corpo aos pedaços. Devolve true se o stream terminou direito ([DONE] ou "done").
async function readStream(response, reply) {
  const reader = response.body.getReader();
  // stream: true guarda a metade de um caractere (ex.: "ç" tem 2 bytes) até o próximo pedaço.
  const decoder = new TextDecoder();
  const parser = createSseParser();
  for (;;) {
    let chunk;
    try {
      chunk = await reader.read();
    } catch (err) {
      if (err.name === "AbortError") throw err; // botão Parar
      return false; // conexão caiu no meio
    }
    if (chunk.done) return false;
    for (const event of parser.feed(decoder.decode(chunk.value, { stream: true }))) {
      if (handleEvent(event, reply)) {
        reader.cancel().catch(() => {});
        return true;
      }
    }
  }
}

async function streamReply(message, history, reply, signal) {
  const response = await fetch("chat", {
    method: "POST",
    headers: {
      "Content-Type": "application/json",
      Accept: "text/event-stream",
      Authorization: `Bearer ${state.token}`,
    },
    body: JSON.stringify({ message, stream: true, history }),
    signal,
  });
  if (!response.ok) {
    reply.fail(describeHttpError(response.status, await readDetail(response)));
    return response.status;
  }
  const type = response.headers.get("Content-Type") || "";
  if (!type.startsWith("text/event-stream")) {
    // Erro comum no Dia 3: a rota ignorou `stream: true` e devolveu JSON.
    reply.fail(`O servidor não respondeu em stream (Content-Type: ${type || "nenhum"}). Com stream: true, /chat deve devolver text/event-stream.`);
    return response.status;
  }
  const finished = await readStream(response, reply);
  if (!finished && !reply.failed) {
    reply.fail("A conexão caiu antes do fim da resposta (o [DONE] não chegou). Tente de novo.");
  }
  return response.status;
}

function setStreaming(active) {
  $("send").hidden = active;
  $("stop").hidden = !active;
  keepScrolled(() => ($("typing").hidden = !active)); // o indicador muda a altura da lista
  $("messages").setAttribute("aria-busy", String(active));
}

async function sendMessage(message) {
  // "Nova conversa" e "Sair" trocam o array: uma resposta antiga não entra na conversa nova.
  const conversation = state.history;
  const history = conversation.slice(-MAX_HISTORY_ITEMS); // a conversa até aqui, sem a mensagem nova
  addMessage("user", message);
  const reply = createReply();
  state.controller = new AbortController();
  setStreaming(true);
  let status = 0;
  try {
    status = await streamReply(message, history, reply, state.controller.signal);
  } catch (err) {
    if (err.name === "AbortError") addNote(reply.article, "Resposta interrompida por você.", "note");
    else reply.fail("Não foi possível falar com o servidor. Ele está rodando?");
  } finally {
    reply.finish();
    state.controller = null;
    setStreaming(false);
  }
  // Só guardamos trocas que tiveram resposta (mesmo parcial): o modelo não vê perguntas órfãs.
  if (reply.text) conversation.push({ role: "user", content: message }, { role: "assistant", content: reply.text });
  if (status === 401) showLogin("Sua sessão expirou. Entre de novo.");
  else $("message").focus();
}

function onChatSubmit(event) {
  event.preventDefault();
  const input = $("message");
  const message = input.value.trim();
  if (!message || state.controller) return; // vazio, ou já há uma resposta chegando
  input.value = "";
  sendMessage(message);
}

// Enter envia; Shift+Enter quebra a linha. isComposing: não envia no meio de um acento (IME).
function onMessageKeydown(event) {
  if (event.key === "Enter" && !event.shiftKey && !event.isComposing) {
    event.preventDefault();
    $("chat-form").requestSubmit();
  }
  if (event.key === "Escape") state.controller?.abort();
}

function newConversation() {
  state.controller?.abort();
  state.history = [];
  $("messages").querySelectorAll(".message").forEach((node) => node.remove());
  $("empty-hint").hidden = false;
  $("message").focus();
}

document.addEventListener("DOMContentLoaded", () => {
  $("login-form").addEventListener("submit", onLoginSubmit);
  $("chat-form").addEventListener("submit", onChatSubmit);
  $("message").addEventListener("keydown", onMessageKeydown);
  $("stop").addEventListener("click", () => state.controller?.abort());
  $("new-chat").addEventListener("click", newConversation);
  $("logout").addEventListener("click", () => showLogin(""));
  $("password").focus();
});
