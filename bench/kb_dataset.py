"""The knowledge base at the issue's scale: 10,000 articles in English, German and Spanish.

4,000 English articles, 3,000 of them also in German and in Spanish (a translation shares its
English article's slug, as in the help center): 10,000 rows in 8 categories of 5 sections.
Titles, summaries and bodies (about 150 words) are sentences of each language's own product-help
vocabulary, so stemming, stop words and the words' spread are those of real help articles: a
topic word such as "invoice" is in a few hundred articles, "password" in a few hundred more,
and every article shares the common verbs ("open", "choose", "click"). 2% are internal-only and
2% drafts. Made once (``bench-`` slugs), in bulk, then indexed by the same function the services
use (``kb.search.index_articles``).
"""

from __future__ import annotations

import html
import random

from django.db import connection, transaction

from support import clock

ARTICLES = 10_000
ENGLISH = 4_000
TRANSLATED = 3_000  # of the English ones, also in German and in Spanish
PREFIX = "bench-"

# (topic nouns, verbs, connecting words) per language; the first noun of a title is its topic.
VOCABULARY = {
    "en": (
        """invoice payment refund plan seat workspace project password account team member role
        permission export import report dashboard notification email webhook token integration
        calendar timezone language browser mobile app device session login domain certificate
        backup archive attachment comment label filter view template automation rule trigger
        schedule reminder subscription trial discount receipt address tax currency card bank
        transfer contract quote customer contact organization channel message thread search
        tag field column chart widget widget share link folder file upload download storage
        limit quota usage history audit security policy sso directory group admin owner guest
        invitation approval workflow status priority deadline milestone task board sprint""",
        """open choose click select enter save change add remove invite export import download
        upload connect disconnect reset enable disable configure create delete rename move copy
        share restore archive filter sort find update verify confirm cancel renew upgrade
        downgrade pay schedule assign follow mention notify sync""",
        """the a your to in on for with from of and or then when if after before under""",
    ),
    "de": (
        """Rechnung Zahlung Erstattung Tarif Platz Workspace Projekt Passwort Konto Team Mitglied
        Rolle Berechtigung Export Import Bericht Dashboard Benachrichtigung E-Mail Webhook Token
        Integration Kalender Zeitzone Sprache Browser App Gerät Sitzung Anmeldung Domain
        Zertifikat Sicherung Archiv Anhang Kommentar Etikett Filter Ansicht Vorlage Automatisierung
        Regel Auslöser Zeitplan Erinnerung Abonnement Testphase Rabatt Beleg Adresse Steuer
        Währung Karte Bank Überweisung Vertrag Angebot Kunde Kontakt Organisation Kanal Nachricht
        Suche Feld Spalte Diagramm Freigabe Link Ordner Datei Speicher Grenze Kontingent Nutzung
        Verlauf Prüfung Sicherheit Richtlinie Verzeichnis Gruppe Administrator Inhaber Gast
        Einladung Freigabe Arbeitsablauf Status Priorität Frist Meilenstein Aufgabe""",
        """öffnen wählen klicken auswählen eingeben speichern ändern hinzufügen entfernen einladen
        exportieren importieren herunterladen hochladen verbinden trennen zurücksetzen aktivieren
        deaktivieren konfigurieren erstellen löschen umbenennen verschieben kopieren teilen
        wiederherstellen archivieren filtern sortieren finden aktualisieren bestätigen kündigen
        verlängern bezahlen planen zuweisen folgen benachrichtigen synchronisieren""",
        """der die das Ihre Ihren zu in auf für mit von und oder dann wenn nach vor unter""",
    ),
    "es": (
        """factura pago reembolso plan puesto espacio proyecto contraseña cuenta equipo miembro
        rol permiso exportación importación informe panel notificación correo webhook token
        integración calendario zona idioma navegador aplicación dispositivo sesión acceso dominio
        certificado copia archivo adjunto comentario etiqueta filtro vista plantilla automatización
        regla disparador horario recordatorio suscripción prueba descuento recibo dirección
        impuesto moneda tarjeta banco transferencia contrato presupuesto cliente contacto
        organización canal mensaje búsqueda campo columna gráfico enlace carpeta fichero
        almacenamiento límite cuota uso historial auditoría seguridad política directorio grupo
        administrador propietario invitado invitación aprobación flujo estado prioridad plazo
        tarea tablero""",
        """abrir elegir pulsar seleccionar introducir guardar cambiar añadir quitar invitar
        exportar importar descargar subir conectar desconectar restablecer activar desactivar
        configurar crear eliminar renombrar mover copiar compartir restaurar archivar filtrar
        ordenar buscar actualizar verificar confirmar cancelar renovar pagar programar asignar
        seguir mencionar notificar sincronizar""",
        """el la los las tu a en para con de y o luego cuando si después antes bajo""",
    ),
}


def _words(language: str) -> tuple[list[str], list[str], list[str]]:
    nouns, verbs, small = VOCABULARY[language]
    return nouns.split(), verbs.split(), small.split()


def _sentence(rng: random.Random, language: str, topic: str, length: int) -> str:
    nouns, verbs, small = _words(language)
    words = [rng.choice(verbs).capitalize(), small[rng.randrange(4)], topic]
    while len(words) < length:
        pick = rng.random()
        words.append(
            rng.choice(nouns)
            if pick < 0.45
            else rng.choice(verbs)
            if pick < 0.65
            else rng.choice(small)
        )
    return " ".join(words) + "."


def _text(rng: random.Random, language: str, topic: str) -> tuple[str, str, str, str]:
    nouns, verbs, small = _words(language)
    title = f"{rng.choice(verbs).capitalize()} {topic} {rng.choice(small[3:])} {rng.choice(nouns)}"
    summary = _sentence(rng, language, topic, 14)
    paragraphs = [
        " ".join(_sentence(rng, language, topic, rng.randint(8, 14)) for _ in range(4))
        for _ in range(3)
    ]
    body = "\n\n".join(paragraphs)
    tags = ", ".join({topic.lower(), rng.choice(nouns).lower()})
    return title[:200], summary[:300], body, tags


def articles_ensure(*, seed: int = 16) -> int:
    """Make the data set unless it is there; the number of bench articles."""
    from kb.models import Article, ArticleStatus, Category, Section
    from kb.search import index_articles

    have = Article.objects.filter(slug__startswith=PREFIX).count()
    if have >= ARTICLES:
        return have
    rng = random.Random(seed)
    now = clock.now()
    with transaction.atomic():
        Article.objects.filter(slug__startswith=PREFIX).delete()
        sections = []
        for c in range(8):
            category, _ = Category.objects.get_or_create(
                slug=f"{PREFIX}category-{c}",
                defaults={"name": f"Bench category {c}", "position": 100 + c},
            )
            for s in range(5):
                section, _ = Section.objects.get_or_create(
                    category=category,
                    slug=f"{PREFIX}section-{s}",
                    defaults={"name": f"Bench section {c}.{s}", "position": s},
                )
                sections.append(section)
        rows = []
        for n in range(ENGLISH):
            topic_index = rng.randrange(len(_words("en")[0]))
            status = ArticleStatus.DRAFT if n % 50 == 7 else ArticleStatus.PUBLISHED
            internal = n % 50 == 13
            section = sections[n % len(sections)]
            for language in ("en", "de", "es") if n < TRANSLATED else ("en",):
                nouns = _words(language)[0]
                topic = nouns[topic_index % len(nouns)]
                title, summary, body, tags = _text(rng, language, topic)
                rows.append(
                    Article(
                        section=section,
                        title=title,
                        slug=f"{PREFIX}{n:05d}",
                        language=language,
                        summary=summary,
                        body=body,
                        body_html="".join(f"<p>{html.escape(p)}</p>" for p in body.split("\n\n")),
                        tags=tags,
                        status=status,
                        internal=internal,
                        published_at=now if status == ArticleStatus.PUBLISHED else None,
                    )
                )
        made = Article.objects.bulk_create(rows, batch_size=1000)
        index_articles(Article.objects.filter(slug__startswith=PREFIX))
    if connection.vendor == "postgresql":
        # As autovacuum would after such a load: the planner's statistics of the new rows
        # (without them it reads the status index and filters every article's vector).
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE kb_article")
    return len(made)
