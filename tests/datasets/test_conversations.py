from __future__ import annotations

from tests.datasets.store_fixtures import OTHER_ID, TweetStore
from twexport_qt.datasets.conversations import ORIGINAL_POST_PROMPT, Role, ThreadIndex, Turn, chat_turns
from twexport_qt.tweets.records import TweetRecord

U, A = Role.USER, Role.ASSISTANT


def _text(record: TweetRecord) -> str:
    return record.text


def test_an_original_gets_the_original_prompt(store: TweetStore) -> None:
    post = store.add("just a post")
    assert chat_turns(post, "just a post", [], _text) == [Turn(U, ORIGINAL_POST_PROMPT), Turn(A, "just a post")]


def test_a_replys_true_parent_is_the_user_turn(store: TweetStore) -> None:
    root = store.add("root by bob", author="bob", author_id=OTHER_ID)
    middle = store.add("middle by bob", author="bob", author_id=OTHER_ID, reply_to=root)
    reply = store.add("alice answers", reply_to=middle)
    # Depth 1: the tweet answered, not the thread's first tweet.
    assert chat_turns(reply, "alice answers", [middle], _text) == [Turn(U, "middle by bob"), Turn(A, "alice answers")]


def test_deeper_threads_alternate_and_join_neighbours_of_one_role(store: TweetStore) -> None:
    q1 = store.add("bob asks", author="bob", author_id=OTHER_ID)
    a1 = store.add("alice answers", reply_to=q1)
    q2 = store.add("carol chimes in", author="carol", author_id=4004, reply_to=a1)
    q3 = store.add("bob again", author="bob", author_id=OTHER_ID, reply_to=q2)
    a2 = store.add("alice again", reply_to=q3)
    turns = chat_turns(a2, "alice again", [q3, q2, a1, q1], _text)
    assert turns == [Turn(U, "bob asks"), Turn(A, "alice answers"), Turn(U, "carol chimes in\n\nbob again"),
                     Turn(A, "alice again")]


def test_a_self_thread_continues_from_the_accounts_own_tweet_as_the_prompt(store: TweetStore) -> None:
    first = store.add("thread 1/3")
    second = store.add("thread 2/3", reply_to=first)
    third = store.add("thread 3/3", reply_to=second)
    # The direct parent is the prompt; the account's tweet above it would start the chat: left out.
    assert chat_turns(third, "thread 3/3", [second, first], _text) == [Turn(U, "thread 2/3"), Turn(A, "thread 3/3")]


def test_a_parent_that_cleans_to_nothing_makes_an_original(store: TweetStore) -> None:
    photo = store.add("", author="bob", author_id=OTHER_ID)
    reply = store.add("nice photo", reply_to=photo)
    assert chat_turns(reply, "nice photo", [photo], _text)[0] == Turn(U, ORIGINAL_POST_PROMPT)


def test_the_index_reads_ancestors_from_the_store_and_names_threads(store: TweetStore) -> None:
    root = store.add("root", author="bob", author_id=OTHER_ID)
    middle = store.add("middle", reply_to=root)
    leaf = store.add("leaf", author="bob", author_id=OTHER_ID, reply_to=middle)
    index = ThreadIndex(store.conn, {})
    index.load([leaf], depth=2)
    assert [t.id for t in index.ancestors(leaf, 5)] == [middle.id, root.id]
    assert index.ancestors(leaf, 1) == [middle]
    assert index.conversation_id(leaf) == root.id


def test_threads_without_conversation_ids_agree_on_their_top(store: TweetStore) -> None:
    # Archive tweets carry no conversation id; the parent of the first one was never stored.
    first = store.add("a reply to something gone", known_conversation=False)
    gone_parent_id = 42
    first = TweetRecord(first.id, first.author_id, first.author_username, first.created_at, first.text,
                        None, gone_parent_id)
    second = store.add("and on", reply_to=first, known_conversation=False)
    index = ThreadIndex(store.conn, {first.id: first})
    index.load([second], depth=1)
    assert index.conversation_id(second) == index.conversation_id(first) == gone_parent_id
