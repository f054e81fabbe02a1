"""Repost notices closing an article (issue 8, branch body2): `未经允许不得转载` (csdn.net, yeeyi.com)
and a platform's `该文仅代表原作者观点` disclaimer, as `本文仅代表作者…` already was."""

from __future__ import annotations

from newsdesk.extract import extract_text

_STORY = [
    "据外媒报道，某游戏工作室本周宣布裁员，涉及多个正在开发中的项目，玩家社区对此反应强烈。",
    "工作室负责人在声明中表示，调整是为了集中资源完成旗舰作品，受影响员工将获得补偿。",
]


def _page(blocks: list[str]) -> str:
    body = "".join(f"<p>{p}</p>" for p in blocks)
    return (
        "<html><head><meta charset='utf-8'><title>某游戏工作室宣布裁员</title></head><body>"
        f"<h1>某游戏工作室宣布裁员</h1><div class='article'>{body}</div></body></html>"
    )


def test_repost_notices_are_not_body() -> None:
    notices = [
        "本文由某游戏网制作发布，未经允许禁止转载。",
        "*以上内容系网友某某自行转载自某游戏网，该文仅代表原作者观点和态度。本平台系信息发布平台，仅提供信息存储空间服务。",
    ]
    assert extract_text(_page([*_STORY, *notices])).body == _STORY


def test_a_sentence_about_entering_without_permission_stays() -> None:
    kept = "一名男子未经允许进入工地，被保安劝离，警方随后到场了解情况。"
    assert extract_text(_page([*_STORY, kept])).body == [*_STORY, kept]
