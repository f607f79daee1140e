"""O cliente HTTP das verificações (common/grader/httpclient.py)."""

from __future__ import annotations

import ssl

from common.grader.httpclient import CappedTransport, new_client, tls_context


def test_um_contexto_tls_por_processo_e_ele_ainda_verifica_o_certificado():
    """Montar um contexto TLS custa ~20 ms de CPU, e a correção cria um cliente por verificação: todos usam o
    mesmo. Ele continua exigindo um certificado válido para o nome (o modo --url aceita https)."""
    with new_client("http://127.0.0.1:1") as first, new_client("http://127.0.0.1:2") as second:
        contexts = {client._transport._pool._ssl_context for client in (first, second)}
    assert contexts == {tls_context()}
    assert CappedTransport()._pool._ssl_context is tls_context()
    assert tls_context().verify_mode == ssl.CERT_REQUIRED and tls_context().check_hostname
