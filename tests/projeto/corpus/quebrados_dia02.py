"""Entregas quebradas do Dia 2: a solução de referência com UM defeito cada.

Pelo menos uma por verificação de tests/dia02. `fails` lista exatamente o que deve falhar e a seção do
guia que a dica de cada falha aponta; o resto passa (cada defeito é cobrado uma vez só). `skips` lista o
que o defeito impede de medir.
"""

from . import Broken

DAY = "dia02"

# Trechos do verify_token da solução que vários casos trocam.
DECODE_ERRORS = "DECODE_ERRORS = (JWTError, RecursionError, TypeError, OverflowError)"
COMPACT_GUARD = '''    # O base64 do python-jose pula caracteres de fora do alfabeto: sem esta guarda, token + "!!" valeria.
    if not COMPACT_JWT.fullmatch(token):
        raise unauthorized(INVALID_TOKEN)
'''
CLAIM_TYPES_GUARD = '''    # RFC 7519: exp é um número JSON e sub, um texto. O python-jose aceitaria o exp "9999999999" (texto).
    if type(payload["exp"]) not in (int, float) or not isinstance(payload["sub"], str):
        raise unauthorized(INVALID_TOKEN)
'''

ENTRIES: list[Broken] = [
    Broken(
        name="d2_health_sumiu",
        day=DAY,
        defect="/health foi renomeada para /saude: o corretor não vê o servidor de pé",
        patches=(('@app.get("/health")', '@app.get("/saude")'),),
        fails={"dia02.servidor_sobe": "dia2-problemas"},
    ),
    Broken(
        name="d2_token_type_errado",
        day=DAY,
        defect='/login devolve "token_type": "jwt" em vez de "bearer"',
        patches=(('    token_type: str = "bearer"', '    token_type: str = "jwt"'),),
        fails={"dia02.login_ok": "dia2-passo3"},
    ),
    Broken(
        name="d2_sem_hash_dummy",
        day=DAY,
        defect="usuário inexistente responde na hora (sem verificar contra um hash dummy): o tempo revela quem existe",
        patches=(
            (
                "password_ok = pwd_context.verify(password, user.password_hash if user else DUMMY_HASH)",
                "password_ok = user is not None and pwd_context.verify(password, user.password_hash)",
            ),
        ),
        fails={"dia02.login_invalido": "dia2-passo3"},
    ),
    Broken(
        name="d2_mensagem_revela_usuario",
        day=DAY,
        defect="a mensagem do 401 diz se o usuário existe",
        patches=(
            (
                '        raise unauthorized("Usuário ou senha incorretos")',
                '        raise unauthorized("Senha incorreta" if credentials.username in USERS else "Usuário não existe")',
            ),
        ),
        # /token usa o mesmo issue_token, mas swagger_token só cobra o status 401.
        fails={"dia02.login_invalido": "dia2-passo3"},
    ),
    Broken(
        name="d2_senha_sem_limite",
        day=DAY,
        defect="password sem max_length=128: uma senha de 129 caracteres vai para o argon2",
        patches=(("    password: str = Field(min_length=1, max_length=128)", "    password: str = Field(min_length=1)"),),
        fails={"dia02.login_validacao": "dia2-passo3"},
    ),
    Broken(
        name="d2_segredo_fixo",
        day=DAY,
        defect="SECRET_KEY fixa no código: ignora a do ambiente",
        patches=(
            ('ALGORITHM = "HS256"', 'ALGORITHM = "HS256"\nSECRET_KEY = "minha-chave-super-secreta"'),
            ('{"sub": sub, "exp": expire}, settings.secret_key,', '{"sub": sub, "exp": expire}, SECRET_KEY,'),
            ("            settings.secret_key,\n", "            SECRET_KEY,\n"),
        ),
        # Só token_formato falha. token_expirado e usuario_inexistente não têm como ser medidos: sem
        # aceitar tokens assinados com a SECRET_KEY injetada, o corretor não consegue fabricar tokens
        # vencidos nem sem "sub" (e passariam pelo motivo errado). token_adulterado roda sem o caso HS512.
        fails={"dia02.token_formato": "dia2-passo2"},
        skips=frozenset({"dia02.token_expirado", "dia02.usuario_inexistente"}),
    ),
    Broken(
        name="d2_token_sete_dias",
        day=DAY,
        defect="o token vale 7 dias (ignora ACCESS_TOKEN_EXPIRE_MINUTES; o limite é 24 h)",
        patches=(
            ("        expires_minutes = settings.access_token_expire_minutes", "        expires_minutes = 7 * 24 * 60"),
        ),
        fails={"dia02.token_formato": "dia2-passo2"},
    ),
    Broken(
        name="d2_hash_vazado_no_me",
        day=DAY,
        defect="GET /me devolve o usuário com o hash da senha",
        patches=(
            (
                "def read_me(user: CurrentUser) -> User:\n    return user",
                "def read_me(user: CurrentUser) -> UserInDB:\n    return USERS[user.username]",
            ),
        ),
        fails={"dia02.me": "dia2-passo5"},
    ),
    Broken(
        name="d2_401_sem_www_authenticate",
        day=DAY,
        defect="sem token: 401 sem o cabeçalho WWW-Authenticate: Bearer",
        patches=(
            (
                '        raise unauthorized("Faça login e envie o cabeçalho Authorization: Bearer <token>")',
                '        raise HTTPException(status.HTTP_401_UNAUTHORIZED, "Faça login")',
            ),
        ),
        fails={"dia02.sem_token": "dia2-passo4"},
    ),
    Broken(
        name="d2_decode_sem_algoritmos",
        day=DAY,
        defect="jwt.decode sem a lista de algoritmos: um HS512 com a chave certa é aceito (e alg none vira 500)",
        patches=(("            algorithms=[ALGORITHM],\n", ""),),
        fails={"dia02.token_adulterado": "dia2-decode"},  # a dica aponta algorithms=["HS256"]
    ),
    Broken(
        name="d2_jwterror_nao_capturado",
        day=DAY,
        defect="JWTError não é capturado: todo token bem formado mas ruim vira 500",
        patches=((DECODE_ERRORS, "DECODE_ERRORS = (RecursionError, TypeError, OverflowError)"),),
        # O 500 de um JWTError solto é de token_adulterado: token_expirado e usuario_inexistente não o cobram de novo.
        fails={"dia02.token_adulterado": "dia2-passo4"},
    ),
    Broken(
        name="d2_sem_forma_compacta",
        day=DAY,
        defect='verify_token sem a guarda da forma compacta: o token do login com "!!" no fim é aceito',
        patches=((COMPACT_GUARD, ""),),
        fails={"dia02.token_adulterado": "dia2-passo4"},
    ),
    Broken(
        name="d2_recursion_nao_capturada",
        day=DAY,
        defect="RecursionError não é capturado: um token com o cabeçalho [[[[... aninhado vira 500",
        patches=((DECODE_ERRORS, "DECODE_ERRORS = (JWTError, TypeError, OverflowError)"),),
        fails={"dia02.token_adulterado": "dia2-passo4"},
    ),
    Broken(
        name="d2_exp_em_texto",
        day=DAY,
        defect='exp não é conferido como número JSON: um token com "exp": "9999999999" (texto) é aceito',
        patches=((CLAIM_TYPES_GUARD, ""),),
        fails={"dia02.token_adulterado": "dia2-passo4"},
    ),
    Broken(
        name="d2_expiracao_desligada",
        day=DAY,
        defect='expiração desligada (options={"verify_exp": False}): um token vencido é aceito',
        # No python-jose, require_exp religa a verificação do exp: quem desliga a expiração tira os dois.
        patches=(('options={"require_exp": True, "require_sub": True},', 'options={"require_sub": True, "verify_exp": False},'),),
        fails={"dia02.token_expirado": "dia2-passo4"},
    ),
    Broken(
        name="d2_exp_opcional",
        day=DAY,
        defect='decode sem require_exp: um token sem "exp" vale para sempre',
        patches=(('options={"require_exp": True, "require_sub": True},', 'options={"require_sub": True},'),),
        fails={"dia02.token_expirado": "dia2-decode"},  # a dica aponta exigir as claims no decode
    ),
    Broken(
        name="d2_usuario_do_token_nao_conferido",
        day=DAY,
        defect="verify_token não confere se o sub existe: USERS[sub] estoura em 500",
        patches=(('    if username not in USERS:\n        raise unauthorized("Token de um usuário que não existe")\n', ""),),
        fails={"dia02.usuario_inexistente": "dia2-passo4"},
    ),
    Broken(
        name="d2_token_so_json",
        day=DAY,
        defect="POST /token espera JSON em vez do formulário OAuth2 (o Authorize do /docs não funciona)",
        patches=(
            ("def login_form(credentials: Annotated[LoginRequest, Form()]) -> Token:", "def login_form(credentials: LoginRequest) -> Token:"),
        ),
        fails={"dia02.swagger_token": "dia2-passo3"},
    ),
    Broken(
        name="d2_get_exige_token",
        day=DAY,
        defect="GET /prompts passou a exigir token (a leitura deveria ser pública)",
        patches=(("def list_prompts(\n    tag: str | None = None,", "def list_prompts(\n    user: CurrentUser,\n    tag: str | None = None,"),),
        fails={"dia02.prompts_protegidos": "dia2-passo6"},
    ),
    Broken(
        name="d2_put_sem_token",
        day=DAY,
        defect="PUT /prompts/{id} sem autenticação (e, sem usuário, sem checar o dono)",
        patches=(
            (
                "def update_prompt(prompt_id: PromptId, body: PromptIn, user: CurrentUser) -> Prompt:\n"
                "    current = find_prompt(prompt_id)\n    ensure_can_edit(current, user)\n",
                "def update_prompt(prompt_id: PromptId, body: PromptIn) -> Prompt:\n    current = find_prompt(prompt_id)\n",
            ),
        ),
        # Um defeito, duas verificações: sem saber quem pede, também não há como recusar
        # (403) quem não é o dono.
        fails={"dia02.prompts_protegidos": "dia2-passo6", "dia02.autorizacao": "dia2-passo6"},
    ),
    Broken(
        name="d2_dono_com_or",
        day=DAY,
        defect='ensure_can_edit com "or" no lugar de "and": o admin não consegue editar o prompt do aluno',
        patches=(
            ('if user.role != "admin" and prompt.owner != user.username:', 'if user.role != "admin" or prompt.owner != user.username:'),
        ),
        fails={"dia02.autorizacao": "dia2-passo6"},
    ),
    Broken(
        name="d2_admin_users_aberto",
        day=DAY,
        defect="GET /admin/users aceita qualquer usuário logado (devia ser 403 para o aluno)",
        patches=(
            ('@app.get("/admin/users", dependencies=[Depends(require_admin)], responses=ADMIN_ONLY)',
             '@app.get("/admin/users", dependencies=[Depends(get_current_user)], responses=ADMIN_ONLY)'),
        ),
        fails={"dia02.autorizacao": "dia2-passo5"},  # a rota /admin/users é do Passo 5
    ),
    Broken(
        name="d2_login_401_sem_desafio",
        day=DAY,
        defect="o 401 do login sai sem o cabeçalho WWW-Authenticate: Bearer (o do /me sai certo)",
        patches=(('        raise unauthorized("Usuário ou senha incorretos")',
                  '        raise HTTPException(status.HTTP_401_UNAUTHORIZED, "Usuário ou senha incorretos")'),),
        fails={"dia02.login_invalido": "dia2-passo3"},  # o /token divide o código: swagger_token não cobra de novo
    ),
    Broken(
        name="d2_bearer_so_maiusculo",
        day=DAY,
        defect='o esquema é comparado com "Bearer " exato: "bearer <token>" (minúsculo) é recusado',
        patches=(
            ("from fastapi import Depends, FastAPI, Form, HTTPException, Path, Query, status",
             "from fastapi import Depends, FastAPI, Form, HTTPException, Path, Query, Request, status"),
            ("def get_current_user(token: Annotated[str | None, Depends(oauth2_scheme)]) -> User:\n"
             "    if token is None:",
             "def get_current_user(request: Request, token: Annotated[str | None, Depends(oauth2_scheme)]) -> User:\n"
             '    if token is None or not request.headers.get("authorization", "").startswith("Bearer "):'),
        ),
        fails={"dia02.me": "dia2-passo5"},
    ),
    Broken(
        name="d2_sem_require_sub",
        day=DAY,
        defect='decode sem require_sub: um token sem "sub" chega ao payload["sub"] e vira KeyError (500)',
        patches=(('options={"require_exp": True, "require_sub": True},', 'options={"require_exp": True},'),),
        fails={"dia02.usuario_inexistente": "dia2-decode"},  # a dica aponta exigir as claims, não o JWTError
    ),
    Broken(
        name="d2_admin_users_vaza_hash",
        day=DAY,
        defect="GET /admin/users devolve os usuários com o hash da senha",
        patches=(("def list_users() -> list[User]:\n    return [user.public() for user in USERS.values()]",
                  "def list_users() -> list[UserInDB]:\n    return list(USERS.values())"),),
        fails={"dia02.autorizacao": "dia2-passo5"},
    ),
    Broken(
        name="d2_senha_em_texto",
        day=DAY,
        defect="a senha é comparada em texto puro (nenhum hash): o login custa o mesmo que uma requisição vazia",
        patches=(("    password_ok = pwd_context.verify(password, user.password_hash if user else DUMMY_HASH)",
                  '    password_ok = user is not None and password == {"admin": "admin123", "aluno": "aluno123"}'
                  "[user.username]"),),
        fails={"dia02.hash_lento": "dia2-passo1"},
    ),
    Broken(
        name="d2_sha256_sem_sal",
        day=DAY,
        defect="um hash rápido e sem sal (sha256) no lugar do argon2: um login custa microssegundos",
        patches=(("    password_ok = pwd_context.verify(password, user.password_hash if user else DUMMY_HASH)",
                  "    import hashlib\n"
                  '    plain = {"admin": "admin123", "aluno": "aluno123"}\n'
                  "    digest = lambda text: hashlib.sha256(text.encode()).hexdigest()  # noqa: E731\n"
                  "    password_ok = user is not None and digest(password) == digest(plain[user.username])"),),
        fails={"dia02.hash_lento": "dia2-passo1"},
    ),
    Broken(
        name="d2_hash_no_event_loop",
        day=DAY,
        defect="o login é `async def` e chama o argon2 direto: o event loop para a cada hash",
        patches=(("    user = await run_hash(authenticate_user, credentials.username, credentials.password)",
                  "    user = authenticate_user(credentials.username, credentials.password)"),),
        fails={"dia02.login_nao_bloqueia": "dia2-pool-hash"},
    ),
]

# O contrário do corpus: outro jeito CORRETO de fazer o Dia 2. Precisa tirar 100 (estilo livre).
CORRECT_STYLES: list[Broken] = [
    Broken(
        name="d2_estilo_livre",
        day=DAY,
        defect="nenhum: HTTPBearer (auto_error) no lugar de OAuth2PasswordBearer, /token síncrono (`def`, o "
        "argon2 no threadpool) com OAuth2PasswordRequestForm, exp como inteiro e uma claim iat a mais",
        patches=(
            (
                "from fastapi.security import OAuth2PasswordBearer\n",
                "from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer, OAuth2PasswordRequestForm\n",
            ),
            (
                '{"sub": sub, "exp": expire}, settings.secret_key,',
                '{"sub": sub, "exp": int(expire.timestamp()), "iat": int(datetime.now(timezone.utc).timestamp())}, '
                "settings.secret_key,",
            ),
            (
                "async def login_form(credentials: Annotated[LoginRequest, Form()]) -> Token:\n"
                "    return await issue_token(credentials)",
                "def login_form(form: Annotated[OAuth2PasswordRequestForm, Depends()]) -> Token:\n"
                "    user = authenticate_user(form.username, form.password)  # `def`: o argon2 vai para o threadpool\n"
                "    if user is None:\n"
                '        raise unauthorized("Usuário ou senha incorretos")\n'
                "    return Token(access_token=create_access_token(user.username))",
            ),
            ('oauth2_scheme = OAuth2PasswordBearer(tokenUrl="token", auto_error=False)', "bearer_scheme = HTTPBearer()"),
            (
                "def get_current_user(token: Annotated[str | None, Depends(oauth2_scheme)]) -> User:\n"
                "    if token is None:\n"
                '        raise unauthorized("Faça login e envie o cabeçalho Authorization: Bearer <token>")\n',
                "def get_current_user(\n"
                "    credentials: Annotated[HTTPAuthorizationCredentials, Depends(bearer_scheme)],\n"
                ") -> User:\n"
                "    token = credentials.credentials\n",
            ),
        ),
        fails={},
    ),
]
