"""Word lists the synthetic population is drawn from.

Deliberately includes what breaks naive code: non-ASCII names, emoji, HTML-ish bios, and display names that
start with '=' or '@' (spreadsheet formula injection material for the CSV/XLSX exporters).
"""

from __future__ import annotations

FIRST_NAMES: tuple[str, ...] = (
    "Alice", "Bob", "Carla", "David", "Emma", "Farid", "Grace", "Hugo", "Ines", "Jamal", "Kenji", "Laura",
    "Mateo", "Nadia", "Oscar", "Priya", "Quentin", "Rosa", "Samir", "Tanya", "Umar", "Vera", "Wen", "Ximena",
    "Yusuf", "Zoe", "José", "Zoë", "Łukasz", "Aïsha", "Søren", "Chloé", "Mehmet", "Olga", "Chen", "Fatima",
    "Liam", "Noah", "Mia", "Sofia", "Lucas", "Hannah", "Ravi", "Amara", "Kwame", "Ngozi", "Sven", "Ingrid",
    "Mohammed", "Leila", "Diego", "Valentina", "Kofi", "Aiko", "Minh", "Thandiwe", "Oren", "Dana", "Ana", "Tom",
)

LAST_NAMES: tuple[str, ...] = (
    "Smith", "Garcia", "Müller", "Rossi", "Dubois", "Nakamura", "Okafor", "Kowalski", "Silva", "Khan", "Nguyen",
    "Johansson", "O'Brien", "Patel", "Cohen", "Ivanova", "Hernández", "Kim", "Mensah", "Larsen", "Haddad", "Lee",
    "Brown", "Fischer", "Moreau", "Tanaka", "Adeyemi", "Novak", "Costa", "Ali",
)

ROLES: tuple[str, ...] = (
    "founder", "engineer", "writer", "designer", "teacher", "researcher", "photographer", "nurse", "marketer",
    "product manager", "data scientist", "student", "musician", "indie hacker", "journalist", "co-founder",
)

TOPICS: tuple[str, ...] = (
    "AI", "climate", "open source", "startups", "poetry", "cycling", "coffee", "Python", "design systems",
    "space", "football", "cooking", "privacy", "crypto", "history", "photography",
)

DESCRIPTION_TEMPLATES: tuple[str, ...] = (
    "",
    "{role} | {topic} & {topic2}",
    "{role} at a small startup. Opinions my own.",
    "Serial {role}. Building things with {topic}. 🚀",
    "{role} writing about {topic} — newsletter below 👇",
    "<b>{role}</b> & \"{topic}\" nerd <3",
    "I <3 {topic} && {topic2}. {role}.",
    "{role}\n{topic} • {topic2}\nDMs open ✉️",
    "Ex-{role}, now full-time {topic} {role2}.",
    "{topic} 🌍 | {role} | he/him",
    "{topic} enthusiast, {role2} by night 🌙",
)

LOCATIONS: tuple[str, ...] = (
    "", "", "Berlin", "San Francisco, CA", "Lagos", "São Paulo", "Tokyo 🇯🇵", "London", "Paris", "Remote",
    "Earth", "Toronto", "Bengaluru", "Mexico City", "Kraków", "Nairobi", "Sydney", "<script>alert(1)</script>",
)

EMOJI: tuple[str, ...] = ("🚀", "✨", "🌱", "🔥", "🎨", "📚", "💡", "🏳️‍🌈", "👩‍💻", "☕")

# Names a spreadsheet would evaluate as a formula if exported without escaping.
INJECTION_NAMES: tuple[str, ...] = (
    '=HYPERLINK("http://evil.example","{first}")',
    "@{first} {last}",
    "=1+1 {first}",
    "@SUM(A1:A9) {first}",
)
