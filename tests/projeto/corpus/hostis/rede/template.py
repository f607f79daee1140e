"""Entrega hostil: olha a rede que o servidor enxerga e tenta alcançar um serviço do loopback da máquina.

Só loopback: a porta é de um listener que o próprio teste abriu em 127.0.0.1 (alvos.json). No sandbox
há só a interface `lo`, nenhuma rota para fora, e o 127.0.0.1 de lá não é o da máquina.
"""
import socket

from relato import TARGETS, app_with, read


def routes_out() -> int:
    """Rotas por alguma interface que não seja lo (IPv4 e IPv6)."""
    ipv4 = [line.split()[0] for line in read("/proc/net/route").splitlines()[1:] if line.strip()]
    ipv6 = [line.split()[-1] for line in read("/proc/net/ipv6_route").splitlines() if line.strip()]
    return sum(device != "lo" for device in ipv4 + ipv6)


def reaches(port: int) -> bool:
    try:
        with socket.create_connection(("127.0.0.1", port), timeout=1):
            return True
    except OSError:
        return False


REPORT = {"interfaces": sorted(name for _, name in socket.if_nameindex()), "rotas_para_fora": routes_out(),
          "alcancou_o_host": reaches(int(TARGETS.get("porta", 9)))}
app = app_with(REPORT)
