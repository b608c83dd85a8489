"""Believable voicebot conversations from templates: the demo's (seeded, written once into
data/demo.yaml) and `--synthetic-conversations N` (cheap enough for 100,000 in a few seconds).

Each scenario is one kind of call with its insights and a transcript in English and/or Hindi.
"""

from __future__ import annotations

import json
import random
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from botops.emulator.rules import parse_date, timestamp
from botops.emulator.store import Bot, ConversationRow

Turns = tuple[tuple[str, str], ...]

SUPPORT_HELLO_EN = ("bot", "Hello! Thank you for calling Acme Retail. How can I help you today?")
SUPPORT_HELLO_HI = (
    "bot",
    "नमस्ते! Acme Retail में कॉल करने के लिए धन्यवाद। मैं आपकी क्या मदद कर सकता हूँ?",
)
REMINDER_EN = (
    "bot",
    "Hello, this is Acme Finance with a reminder: your EMI of {amount} is due on {due}.",
)
REMINDER_HI = ("bot", "नमस्ते, मैं Acme Finance से बोल रही हूँ। आपकी {amount} की EMI {due} को देय है।")
SALES_HELLO_HI = (
    "bot",
    "नमस्ते! Acme Retail के त्योहार सेल में आपका स्वागत है। मैं आपकी क्या मदद कर सकती हूँ?",
)


@dataclass(frozen=True)
class Scenario:
    kind: str  # support, reminder or sales: which bots have such calls
    intent: str
    outcome: str
    sentiment: str
    turns: dict[str, Turns]  # language code → speaker/text turns with {placeholders}


SCENARIOS = (
    Scenario(
        "support",
        "order_status_inquiry",
        "resolved",
        "positive",
        {
            "en": (
                SUPPORT_HELLO_EN,
                ("user", "Hi, I want to check the status of my order."),
                ("bot", "Sure. Could you tell me your order number?"),
                ("user", "It's {order}."),
                (
                    "bot",
                    "Thank you. Your {item} was shipped yesterday and will be delivered {day}. "
                    "Shall I send the tracking link by SMS?",
                ),
                ("user", "Yes please, that would be great."),
                ("bot", "Done, the link is on its way. Is there anything else I can help with?"),
                ("user", "No, that's all. Thank you!"),
            ),
            "hi": (
                SUPPORT_HELLO_HI,
                ("user", "मुझे अपने ऑर्डर का स्टेटस जानना है।"),
                ("bot", "ज़रूर। कृपया अपना ऑर्डर नंबर बताइए।"),
                ("user", "{order}"),
                (
                    "bot",
                    "धन्यवाद। आपका {item} कल भेज दिया गया है और {day} तक पहुँच जाएगा। "
                    "क्या मैं ट्रैकिंग लिंक SMS पर भेज दूँ?",
                ),
                ("user", "हाँ, भेज दीजिए।"),
                ("bot", "लिंक भेज दिया है। क्या मैं और कुछ मदद कर सकता हूँ?"),
                ("user", "नहीं, बस इतना ही। धन्यवाद!"),
            ),
        },
    ),
    Scenario(
        "support",
        "order_status_inquiry",
        "escalated",
        "negative",
        {
            "en": (
                SUPPORT_HELLO_EN,
                ("user", "My order {order} should have arrived three days ago. Where is it?"),
                ("bot", "I'm sorry about the delay. Your {item} is held at the local courier hub."),
                ("user", "This is the second time this has happened. I want to talk to a person."),
                ("bot", "I understand. I'm transferring you to a support agent now."),
            ),
            "hi": (
                SUPPORT_HELLO_HI,
                ("user", "मेरा ऑर्डर {order} तीन दिन पहले आना था, अभी तक नहीं आया।"),
                ("bot", "देरी के लिए माफ़ी चाहता हूँ। आपका {item} लोकल कूरियर हब पर रुका हुआ है।"),
                ("user", "यह दूसरी बार हो रहा है। मुझे किसी इंसान से बात करनी है।"),
                ("bot", "मैं समझता हूँ। मैं आपकी कॉल अभी एक सपोर्ट एजेंट को ट्रांसफ़र कर रहा हूँ।"),
            ),
        },
    ),
    Scenario(
        "support",
        "return_request",
        "resolved",
        "neutral",
        {
            "en": (
                SUPPORT_HELLO_EN,
                ("user", "I'd like to return the {item} from order {order}. It doesn't fit."),
                ("bot", "I can help with that. It was delivered last week, so it can be returned."),
                ("bot", "I can book a pickup {day} between 10 am and 2 pm. Does that work?"),
                ("user", "Yes, that works."),
                (
                    "bot",
                    "Your pickup is booked. The refund reaches your original payment method "
                    "within 5 to 7 working days of pickup.",
                ),
                ("user", "Okay, thanks."),
            ),
            "hi": (
                SUPPORT_HELLO_HI,
                ("user", "मुझे ऑर्डर {order} का {item} वापस करना है। साइज़ सही नहीं है।"),
                ("bot", "ज़रूर। यह पिछले हफ़्ते डिलीवर हुआ था, इसलिए इसे वापस किया जा सकता है।"),
                ("bot", "मैं {day} सुबह 10 से दोपहर 2 बजे के बीच पिकअप बुक कर सकता हूँ। ठीक रहेगा?"),
                ("user", "हाँ, ठीक है।"),
                ("bot", "पिकअप बुक हो गया है। पिकअप के 5 से 7 कार्यदिवस में रिफ़ंड आ जाएगा।"),
                ("user", "ठीक है, धन्यवाद।"),
            ),
        },
    ),
    Scenario(
        "support",
        "refund_status",
        "callback_scheduled",
        "neutral",
        {
            "en": (
                SUPPORT_HELLO_EN,
                ("user", "I returned an item last week and my refund of {amount} hasn't come."),
                ("bot", "Let me check. The pickup for order {order} is done; the bank has it."),
                ("user", "Can someone call me when it's done?"),
                ("bot", "Of course. Our refunds team will call you {day}, and you'll get an SMS."),
                ("user", "Fine, thank you."),
            ),
            "hi": (
                SUPPORT_HELLO_HI,
                ("user", "मैंने पिछले हफ़्ते सामान लौटाया था, {amount} का रिफ़ंड अभी तक नहीं आया।"),
                ("bot", "मैं देखता हूँ। ऑर्डर {order} का पिकअप हो चुका है, रिफ़ंड बैंक में है।"),
                ("user", "जब हो जाए तो क्या कोई मुझे कॉल कर सकता है?"),
                ("bot", "ज़रूर। हमारी रिफ़ंड टीम {day} आपको कॉल करेगी, और आपको SMS भी मिलेगा।"),
                ("user", "ठीक है, धन्यवाद।"),
            ),
        },
    ),
    Scenario(
        "support",
        "wrong_item_received",
        "abandoned",
        "negative",
        {
            "en": (
                SUPPORT_HELLO_EN,
                ("user", "I got the wrong item in my order."),
                ("bot", "I'm sorry to hear that. Could you tell me your order number?"),
                ("user", "I don't have it right now... this is so frustrating."),
                ("bot", "No problem, I can find it with your phone number. Shall I do that?"),
            ),
            "hi": (
                SUPPORT_HELLO_HI,
                ("user", "मेरे ऑर्डर में ग़लत सामान आया है।"),
                ("bot", "माफ़ कीजिए। क्या आप अपना ऑर्डर नंबर बता सकते हैं?"),
                ("user", "अभी मेरे पास नहीं है... बहुत परेशानी हो रही है।"),
                ("bot", "कोई बात नहीं, मैं आपके फ़ोन नंबर से ढूँढ सकता हूँ। ढूँढूँ?"),
            ),
        },
    ),
    Scenario(
        "support",
        "delivery_address_change",
        "resolved",
        "positive",
        {
            "en": (
                SUPPORT_HELLO_EN,
                ("user", "Can I change the delivery address for order {order}?"),
                ("bot", "Yes, it hasn't shipped yet. Please tell me the new address and PIN code."),
                ("user", "Flat 402, Lakeview Apartments, Indiranagar, Bengaluru 560038."),
                ("bot", "Thank you. I've updated it; your {item} will be delivered there {day}."),
                ("user", "Perfect, thanks a lot!"),
            ),
            "hi": (
                SUPPORT_HELLO_HI,
                ("user", "क्या मैं ऑर्डर {order} का डिलीवरी पता बदल सकता हूँ?"),
                ("bot", "हाँ, यह अभी भेजा नहीं गया है। कृपया नया पता और पिन कोड बताइए।"),
                ("user", "फ़्लैट 402, लेकव्यू अपार्टमेंट्स, इंदिरानगर, बेंगलुरु 560038।"),
                ("bot", "धन्यवाद। पता बदल दिया है; आपका {item} {day} वहाँ पहुँच जाएगा।"),
                ("user", "बहुत बढ़िया, धन्यवाद!"),
            ),
        },
    ),
    Scenario(
        "reminder",
        "payment_reminder",
        "resolved",
        "positive",
        {
            "en": (
                REMINDER_EN,
                ("user", "Oh right, thanks for reminding me."),
                ("bot", "Would you like to pay now, or should I note a date?"),
                ("user", "I'll pay it by tomorrow from my bank app."),
                ("bot", "Thank you! I've noted that. Have a good day."),
            ),
            "hi": (
                REMINDER_HI,
                ("user", "अच्छा, याद दिलाने के लिए धन्यवाद।"),
                ("bot", "क्या आप अभी भुगतान करना चाहेंगे, या मैं कोई तारीख नोट कर लूँ?"),
                ("user", "मैं कल तक बैंक ऐप से भुगतान कर दूँगा।"),
                ("bot", "धन्यवाद! मैंने नोट कर लिया है। आपका दिन शुभ हो।"),
            ),
        },
    ),
    Scenario(
        "reminder",
        "payment_link_request",
        "resolved",
        "positive",
        {
            "en": (
                REMINDER_EN,
                ("user", "Can you send me a payment link? I'll pay right away."),
                ("bot", "Sure. I've sent a secure payment link by SMS. It's valid for 24 hours."),
                ("user", "Got it. Paying now."),
                ("bot", "Thank you! You'll get a confirmation SMS once the payment is received."),
            ),
            "hi": (
                REMINDER_HI,
                ("user", "क्या आप मुझे पेमेंट लिंक भेज सकती हैं? मैं अभी भुगतान कर दूँगा।"),
                ("bot", "ज़रूर। मैंने SMS पर सुरक्षित पेमेंट लिंक भेज दिया है, 24 घंटे मान्य है।"),
                ("user", "मिल गया। अभी भुगतान करता हूँ।"),
                ("bot", "धन्यवाद! भुगतान मिलते ही आपको पुष्टि का SMS आ जाएगा।"),
            ),
        },
    ),
    Scenario(
        "reminder",
        "payment_extension_request",
        "callback_scheduled",
        "neutral",
        {
            "en": (
                REMINDER_EN,
                ("user", "My salary is delayed this month. Can I pay a week later?"),
                ("bot", "I can't move the due date myself, but our collections team can call you."),
                ("user", "Yes, please ask them to call me {day} evening."),
                ("bot", "Done. Someone from our team will call you {day} between 5 and 7 pm."),
            ),
            "hi": (
                REMINDER_HI,
                ("user", "इस महीने मेरी सैलरी देर से आएगी। क्या मैं एक हफ़्ते बाद भुगतान कर सकता हूँ?"),
                ("bot", "तारीख मैं ख़ुद नहीं बदल सकती, पर हमारी कलेक्शन टीम आपको कॉल कर सकती है।"),
                ("user", "हाँ, उनसे कहिए {day} शाम को कॉल करें।"),
                ("bot", "ठीक है। हमारी टीम {day} शाम 5 से 7 बजे के बीच आपको कॉल करेगी।"),
            ),
        },
    ),
    Scenario(
        "reminder",
        "payment_dispute",
        "escalated",
        "negative",
        {
            "en": (
                REMINDER_EN,
                ("user", "I already paid this EMI last week! Why are you calling me again?"),
                ("bot", "I'm sorry. A payment can take up to 3 working days to show here."),
                ("user", "I have the bank receipt. Connect me to someone who can fix this."),
                ("bot", "Of course. I'm connecting you to an agent who can verify the payment."),
            ),
            "hi": (
                REMINDER_HI,
                ("user", "मैंने यह EMI पिछले हफ़्ते ही भर दी है! आप फिर से कॉल क्यों कर रहे हैं?"),
                ("bot", "माफ़ कीजिए। भुगतान दिखने में 3 कार्यदिवस तक लग सकते हैं।"),
                ("user", "मेरे पास बैंक की रसीद है। किसी ऐसे व्यक्ति से बात कराइए जो इसे ठीक करे।"),
                ("bot", "ज़रूर। मैं आपको एक एजेंट से जोड़ रही हूँ जो भुगतान की जाँच करेंगे।"),
            ),
        },
    ),
    Scenario(
        "reminder",
        "payment_reminder",
        "abandoned",
        "neutral",
        {
            "en": (
                REMINDER_EN,
                ("bot", "Hello? Are you there? I'm calling about your EMI of {amount}."),
                ("user", "Not a good time."),
            ),
            "hi": (
                REMINDER_HI,
                ("bot", "हैलो? क्या आप मुझे सुन पा रहे हैं? मैं आपकी {amount} की EMI के बारे में कॉल कर रही हूँ।"),
                ("user", "अभी बात नहीं कर सकता।"),
            ),
        },
    ),
    Scenario(
        "reminder",
        "emi_schedule_inquiry",
        "resolved",
        "neutral",
        {
            "en": (
                REMINDER_EN,
                ("user", "How many EMIs are left on my loan?"),
                ("bot", "After this one, 14 EMIs of {amount} remain. Shall I SMS the schedule?"),
                ("user", "Yes, send it. I'll pay on time."),
                ("bot", "Sent. Thank you for banking with Acme Finance."),
            ),
            "hi": (
                REMINDER_HI,
                ("user", "मेरे लोन की कितनी EMI बाकी हैं?"),
                ("bot", "इसके बाद {amount} की 14 EMI बाकी हैं। क्या मैं शेड्यूल SMS कर दूँ?"),
                ("user", "हाँ, भेज दीजिए। मैं समय पर भुगतान करूँगा।"),
                ("bot", "भेज दिया। Acme Finance के साथ बने रहने के लिए धन्यवाद।"),
            ),
        },
    ),
    Scenario(
        "sales",
        "product_inquiry",
        "resolved",
        "positive",
        {
            "hi": (
                SALES_HELLO_HI,
                ("user", "मुझे {product} के बारे में जानना है। क्या इस पर कोई ऑफ़र है?"),
                ("bot", "जी हाँ, {product} अभी {price} में है, साथ में दो साल की मुफ़्त वारंटी।"),
                ("user", "बढ़िया! क्या नो-कॉस्ट EMI भी है?"),
                ("bot", "हाँ, छह महीने की नो-कॉस्ट EMI है। मैं प्रोडक्ट का लिंक SMS कर देती हूँ।"),
                ("user", "ठीक है, भेज दीजिए। धन्यवाद!"),
            ),
        },
    ),
    Scenario(
        "sales",
        "offer_inquiry",
        "callback_scheduled",
        "neutral",
        {
            "hi": (
                SALES_HELLO_HI,
                ("user", "{product} पर क्या डील चल रही है? अभी मैं बस देख रहा हूँ।"),
                ("bot", "{product} पर 15 प्रतिशत की छूट है। क्या हमारा सेल्स एक्सपर्ट आपको कॉल करे?"),
                ("user", "हाँ, {day} शाम को कॉल कर लीजिए।"),
                ("bot", "ठीक है, {day} शाम छह बजे आपको कॉल आएगी।"),
            ),
        },
    ),
    Scenario(
        "sales",
        "bulk_purchase",
        "escalated",
        "positive",
        {
            "hi": (
                SALES_HELLO_HI,
                ("user", "ऑफ़िस के लिए पाँच {product} ख़रीदने हैं। क्या बल्क डिस्काउंट मिलेगा?"),
                ("bot", "बल्क ऑर्डर पर हमारी बिज़नेस टीम बेहतर दाम देगी। मैं कॉल ट्रांसफ़र कर रही हूँ।"),
                ("user", "ठीक है।"),
            ),
        },
    ),
    Scenario(
        "sales",
        "not_interested",
        "abandoned",
        "negative",
        {
            "hi": (
                ("bot", "नमस्ते! Acme Retail की ओर से कॉल है। {product} पर इस हफ़्ते ख़ास ऑफ़र है।"),
                ("user", "मुझे कोई दिलचस्पी नहीं है, बार-बार कॉल मत कीजिए।"),
                ("bot", "माफ़ कीजिए। क्या मैं आपका नंबर प्रमोशनल कॉल की सूची से हटा दूँ?"),
            ),
        },
    ),
)

# Order numbers and amounts read the same in every language.
_ANY_LANGUAGE = {
    "order": ("AC-48213", "AC-51977", "AC-60342", "AC-72285", "AC-80419"),
    "amount": ("₹4,250", "₹2,999", "₹12,400", "₹7,815", "₹1,560"),
}
VALUES: dict[str, dict[str, tuple[str, ...]]] = {
    "en": {
        **_ANY_LANGUAGE,
        "item": ("running shoes", "mixer grinder", "cotton kurta", "phone cover", "water bottle"),
        "due": ("15 April", "5 May", "20 April", "1 May", "10 April"),
        "day": ("tomorrow", "on Friday", "on Monday", "tomorrow", "on Saturday"),
    },
    "hi": {
        **_ANY_LANGUAGE,
        "item": ("जूते", "मिक्सर ग्राइंडर", "सूती कुर्ता", "फ़ोन कवर", "पानी की बोतल"),
        "due": ("15 अप्रैल", "5 मई", "20 अप्रैल", "1 मई", "10 अप्रैल"),
        "day": ("कल", "शुक्रवार", "सोमवार", "कल", "शनिवार"),
        "product": ("स्मार्ट टीवी", "वॉशिंग मशीन", "एसी", "लैपटॉप", "फ़्रिज"),
        "price": ("₹32,990", "₹24,490", "₹38,999", "₹54,990", "₹27,500"),
    },
}

NUMBERS = {"support": "+918047112233", "reminder": "+912267891234", "sales": "+911140558899"}
DEMO_KINDS = {"bot_support01": "support", "bot_payrem01": "reminder", "bot_sales01": "sales"}
RECORDINGS = "https://recordings.example.com/acme"


@dataclass(frozen=True)
class Call:
    """One scenario rendered in one language with one set of values."""

    scenario: Scenario
    transcript: list[dict[str, str]]
    duration_seconds: int


def render(scenario: Scenario, language: str, variant: int, rng: random.Random) -> Call:
    values = {key: options[variant % len(options)] for key, options in VALUES[language].items()}
    clock = 1.0
    transcript = []
    for speaker, text in scenario.turns[language]:
        line = text.format(**values)
        transcript.append({"speaker": speaker, "text": line, "timestamp": _clock(clock)})
        # Roughly the time it takes to say the line, then a pause before the next one.
        clock += 1.2 + 0.38 * len(line.split()) + rng.uniform(0.6, 2.4)
    return Call(scenario, transcript, int(clock + rng.uniform(1, 4)))


def _clock(seconds: float) -> str:
    whole = int(seconds)
    return f"{whole // 3600:02d}:{whole // 60 % 60:02d}:{whole % 60:02d}"


def kind_of(bot_id: str, name: str) -> str:
    """Which scenarios fit a bot: the demo's by id, others by what their name suggests."""
    if bot_id in DEMO_KINDS:
        return DEMO_KINDS[bot_id]
    lowered = name.lower()
    if any(word in lowered for word in ("pay", "remind", "emi", "loan", "collect")):
        return "reminder"
    if any(word in lowered for word in ("sale", "offer", "shop")):
        return "sales"
    return "support"


def _languages(kind: str, supported: list[str]) -> list[str]:
    offered = {language for s in SCENARIOS if s.kind == kind for language in s.turns}
    usable = [language for language in ("en", "hi") if language in supported]
    return [language for language in usable if language in offered] or sorted(offered)


# How often the demo's calls end resolved, from the moment a version went live (the versions'
# dates are data/demo.yaml's): the support bot's v3 resolves visibly more than its v2, so that
# `botops analytics --by version` has a real before and after to show; the reminder bot's v2
# does about as well as its v1.
DEMO_RESOLUTION = {
    "bot_support01": ((datetime(2026, 3, 18, 10, 15, tzinfo=UTC), 0.78), (None, 0.38)),
    "bot_payrem01": ((None, 0.55),),
    "bot_sales01": ((None, 0.3),),
}
DEMO_FIRST_DAY = datetime(2026, 3, 4, 3, 30, tzinfo=UTC)  # 09:00 IST, after every bot's v2
DEMO_DAYS = 35
DEMO_PLAN = (("bot_support01", 100), ("bot_payrem01", 84), ("bot_sales01", 20))


def demo_conversations(seed: int = 20260408) -> list[dict[str, Any]]:
    """The demo's 204 conversations over its three bots, oldest first."""
    rng = random.Random(seed)
    plan = DEMO_PLAN
    calls = []
    for bot_id, count in plan:
        kind = DEMO_KINDS[bot_id]
        scenarios = [s for s in SCENARIOS if s.kind == kind]
        resolved = [s for s in scenarios if s.outcome == "resolved"]
        others = [s for s in scenarios if s.outcome != "resolved"]
        for _ in range(count):
            start = DEMO_FIRST_DAY + timedelta(
                days=rng.randrange(DEMO_DAYS), seconds=rng.randrange(36_000)
            )
            rate = next(
                r for since, r in DEMO_RESOLUTION[bot_id] if since is None or start >= since
            )
            scenario = rng.choice(resolved if rng.random() < rate else others)
            languages = sorted(scenario.turns)
            language = "hi" if languages == ["hi"] else rng.choice(["en", "en", "en", "hi", "hi"])
            call = render(scenario, language, rng.randrange(5), rng)
            calls.append((start, bot_id, kind, call))
    calls.sort(key=lambda c: c[0])
    conversations = []
    for start, bot_id, kind, call in calls:
        conversation_id = f"conv_{rng.getrandbits(40):010x}"
        conversations.append(
            {
                "conversation_id": conversation_id,
                "bot_id": bot_id,
                "call_metadata": {
                    "from": f"+91{rng.choice('9876')}{rng.randrange(10**9):09d}",
                    "to": NUMBERS[kind],
                    "duration_seconds": call.duration_seconds,
                    "recording_url": f"{RECORDINGS}/{conversation_id}.mp3",
                },
                "transcript": call.transcript,
                "insights": {
                    "sentiment": call.scenario.sentiment,
                    "intent": call.scenario.intent,
                    "outcome": call.scenario.outcome,
                },
                "start_time": start.strftime("%Y-%m-%dT%H:%M:%SZ"),
            }
        )
    return conversations


def synthetic(count: int, bots: list[Bot]) -> Iterator[ConversationRow]:
    """`count` conversations spread over `bots`, as rows ready to insert.

    Each bot's conversations are dated evenly from its first version's `date_created` to
    `SYNTHETIC_DAYS` after its latest version's, so that every version has conversations for
    `analytics --by version` to attribute (the dates come from the versions alone, never from
    the clock).

    Every transcript is rendered and encoded once up front; each row then only picks one and
    formats its call metadata, which keeps 100,000 rows to a second or two.
    """
    rng = random.Random(7)
    pools = []
    spans = []
    for bot in bots:
        bot_id, data = bot.bot_id, bot.data
        kind = kind_of(bot_id, str(data.get("name", "")))
        languages = _languages(kind, list(data.get("supported_languages") or []))
        pool = []
        for scenario in (s for s in SCENARIOS if s.kind == kind):
            for language in (x for x in languages if x in scenario.turns):
                for variant in range(3):
                    call = render(scenario, language, variant, rng)
                    labels = {
                        "sentiment": scenario.sentiment,
                        "intent": scenario.intent,
                        "outcome": scenario.outcome,
                    }
                    pool.append(
                        (
                            json.dumps(call.transcript, ensure_ascii=False),
                            json.dumps(labels),
                            call.duration_seconds,
                        )
                    )
        pools.append((bot_id, NUMBERS[kind], pool))
        spans.append(_span(bot, -(-count // len(bots)) if bots else 0))
    state = 12345
    for index in range(count):
        bot_id, to, pool = pools[index % len(pools)]
        first, step = spans[index % len(pools)]
        state = (state * 1103515245 + 12345) & 0x7FFFFFFF
        transcript, insights, duration = pool[state % len(pool)]
        conversation_id = f"conv_syn{index + 1:07d}"
        call_metadata = (
            f'{{"from":"+91{9 - state % 3}{state % 1_000_000_000:09d}","to":"{to}",'
            f'"duration_seconds":{duration + (state >> 12) % 40},'
            f'"recording_url":"{RECORDINGS}/synthetic/{conversation_id}.mp3"}}'
        )
        moment = first + (index // len(pools)) * step
        started = timestamp(datetime.fromtimestamp(int(moment), UTC))
        yield (conversation_id, bot_id, started, call_metadata, transcript, insights, None)


SYNTHETIC_DAYS = 30  # how long after its latest version a bot's synthetic calls go on


def _span(bot: Bot, calls: int) -> tuple[float, float]:
    """When `bot`'s first synthetic call starts (epoch seconds) and the step between its
    `calls` calls: evenly from its first version to `SYNTHETIC_DAYS` after its latest."""
    dates = [_epoch(bot.date_created), *(_epoch(d) for d, _ in bot.history.values())]
    first = min(dates)
    end = min(max(dates) + SYNTHETIC_DAYS * 86_400, LAST_SECOND)
    return first, (end - first) / max(calls, 1)


LAST_SECOND = datetime(9999, 12, 31, 23, 59, 59, tzinfo=UTC).timestamp()


def _epoch(text: str) -> float:
    parsed = parse_date(text)
    return parsed[0].timestamp() if parsed is not None else 0.0
