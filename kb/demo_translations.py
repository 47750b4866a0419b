# ruff: noqa: E501 - article text reads better unwrapped
"""German and Spanish versions of a few demo articles (same slug as the English one: a
translation), so the help center shows a German or Spanish reader their language and the note
on the rest."""

from __future__ import annotations

from accounts.models import User
from kb import services
from kb.models import Article, Category, CategoryTranslation, Section, SectionTranslation

# (English title, language, title, summary, body)
TRANSLATIONS = [
    (
        "Reset your password",
        "de",
        "Passwort zurücksetzen",
        "Fordern Sie einen Link an; er funktioniert eine Stunde lang.",
        """1. Klicken Sie auf der Anmeldeseite auf **Passwort vergessen?**
2. Geben Sie die E-Mail-Adresse Ihres Kontos ein und klicken Sie auf **Link senden**.
3. Öffnen Sie den Link in der E-Mail innerhalb einer Stunde und wählen Sie ein neues Passwort.

## Die E-Mail kommt nicht an

- Sehen Sie im Spam- oder Junk-Ordner nach Post von `no-reply@example.com`.
- Bitten Sie Ihre IT, diese Adresse zuzulassen; manche Firmenfilter halten automatische E-Mails zurück.
- Nutzt Ihr Workspace Single Sign-on, setzen Sie Ihr Passwort bei Ihrem Identitätsanbieter zurück —
  für SSO-Konten speichern wir kein Passwort.
""",
    ),
    (
        "Reset your password",
        "es",
        "Restablecer la contraseña",
        "Pide un enlace de restablecimiento; funciona durante una hora.",
        """1. En la página de inicio de sesión, haz clic en **¿Olvidaste tu contraseña?**
2. Escribe el correo de tu cuenta y haz clic en **Enviar enlace**.
3. Abre el enlace del correo antes de una hora y elige una contraseña nueva.

## El correo no llega

- Revisa la carpeta de spam o correo no deseado por si hay un mensaje de `no-reply@example.com`.
- Pide a tu equipo de TI que permita esa dirección; algunos filtros retienen el correo automático.
- Si tu espacio de trabajo usa inicio de sesión único (SSO), restablece la contraseña en tu proveedor
  de identidad: no guardamos contraseñas de cuentas SSO.
""",
    ),
    (
        "Export your data to CSV",
        "de",
        "Daten als CSV exportieren",
        "Projekte, Dokumente und Mitglieder als CSV-Dateien herunterladen.",
        """Admins können die Daten eines Workspaces jederzeit exportieren.

1. Öffnen Sie **Einstellungen → Daten → Export**.
2. Wählen Sie, was exportiert wird: Projekte, Dokumente, Mitglieder oder alles.
3. Klicken Sie auf **Export starten**. Sobald die Datei fertig ist, senden wir Ihnen einen
   Download-Link per E-Mail (meist nach wenigen Minuten, bei großen Workspaces bis zu einer Stunde).

Der Link funktioniert 24 Stunden. Exporte sind UTF-8-CSV-Dateien mit Kopfzeile, eine Datei pro Typ,
in einem ZIP-Archiv.

**Sie finden die Schaltfläche „Export“ nicht?** Sie wird nur Admins und dem Owner angezeigt.
""",
    ),
    (
        "Export your data to CSV",
        "es",
        "Exportar tus datos a CSV",
        "Descarga proyectos, documentos y miembros como archivos CSV.",
        """Los administradores pueden exportar los datos de un espacio de trabajo en cualquier momento.

1. Ve a **Ajustes → Datos → Exportar**.
2. Elige qué exportar: proyectos, documentos, miembros o todo.
3. Haz clic en **Iniciar exportación**. Te enviaremos por correo un enlace de descarga cuando el
   archivo esté listo (normalmente en unos minutos; en espacios grandes, hasta una hora).

El enlace funciona durante 24 horas. Las exportaciones son archivos CSV en UTF-8 con fila de
encabezado, uno por tipo, en un archivo ZIP.

**¿No encuentras el botón Exportar?** Solo lo ven los administradores y el propietario.
""",
    ),
    (
        "Invite teammates to your workspace",
        "de",
        "Teammitglieder in den Workspace einladen",
        "Einladungen per E-Mail senden oder einen Beitrittslink für Ihre Domain teilen.",
        """Nur **Owner** und **Admins** eines Workspaces können Personen einladen.

## Per E-Mail einladen

1. Öffnen Sie **Einstellungen → Mitglieder**.
2. Klicken Sie auf **Personen einladen** und geben Sie eine oder mehrere E-Mail-Adressen ein,
   durch Kommas getrennt.
3. Wählen Sie eine Rolle: *Mitglied* (Standard), *Admin* oder *Gast*.
4. Klicken Sie auf **Einladungen senden**.

Jede Einladung gilt 7 Tage. Im Tab *Ausstehend* können Sie sie erneut senden oder zurückziehen.
""",
    ),
    # Billing in German and Spanish too: a Spanish reader searching "factura" (or "facturas")
    # finds an article in their language, not only the English "invoice" ones it can't match.
    (
        "Add a VAT number to your invoices",
        "es",
        "Añadir el número de IVA a tus facturas",
        "Escribe el NIF-IVA de tu empresa para que aparezca en cada factura nueva.",
        """1. Ve a **Ajustes → Facturación → Datos de facturación**.
2. Escribe el nombre de la empresa, la dirección y el **NIF-IVA** (con el prefijo del país, p. ej. `ES12345678Z`).
3. Guarda.

El NIF-IVA aparece en todas las facturas emitidas a partir de ahora. Si necesitas que volvamos a
emitir una factura anterior, envíanos una solicitud con el número de la factura.
""",
    ),
    (
        "Add a VAT number to your invoices",
        "de",
        "USt-IdNr. auf Ihren Rechnungen angeben",
        "Tragen Sie die USt-IdNr. Ihres Unternehmens ein, damit sie auf jeder neuen Rechnung steht.",
        """1. Öffnen Sie **Einstellungen → Abrechnung → Rechnungsdaten**.
2. Geben Sie Firmenname, Anschrift und **USt-IdNr.** ein (mit Länderkennung, z. B. `DE123456789`).
3. Speichern Sie.

Die USt-IdNr. steht ab sofort auf allen neuen Rechnungen. Für eine neu ausgestellte frühere
Rechnung senden Sie uns eine Anfrage mit der Rechnungsnummer.
""",
    ),
]


# The help center's categories and sections in German and Spanish: (English name, language,
# name, description).
CATEGORY_NAMES = [
    (
        "Getting started",
        "de",
        "Erste Schritte",
        "Richten Sie Ihren Workspace ein, laden Sie Ihr Team ein und finden Sie sich zurecht.",
    ),
    (
        "Getting started",
        "es",
        "Primeros pasos",
        "Configura tu espacio de trabajo, invita a tu equipo y oriéntate.",
    ),
    (
        "Account and sign-in",
        "de",
        "Konto und Anmeldung",
        "Passwörter, Zwei-Faktor-Authentifizierung, Single Sign-on und Benachrichtigungen.",
    ),
    (
        "Account and sign-in",
        "es",
        "Cuenta e inicio de sesión",
        "Contraseñas, autenticación en dos pasos, inicio de sesión único y notificaciones.",
    ),
    (
        "Billing and plans",
        "de",
        "Abrechnung und Tarife",
        "Tarife, Rechnungen, Zahlungsarten und Erstattungen.",
    ),
    (
        "Billing and plans",
        "es",
        "Facturación y planes",
        "Planes, facturas, formas de pago y reembolsos.",
    ),
    (
        "Integrations and API",
        "de",
        "Integrationen und API",
        "Verbinden Sie andere Tools, nutzen Sie die REST-API und empfangen Sie Webhooks.",
    ),
    (
        "Integrations and API",
        "es",
        "Integraciones y API",
        "Conecta otras herramientas, usa la API REST y recibe webhooks.",
    ),
]
SECTION_NAMES = {
    "Your workspace": ("Ihr Workspace", "Tu espacio de trabajo"),
    "Data in and out": ("Daten importieren und exportieren", "Importar y exportar datos"),
    "Signing in": ("Anmelden", "Iniciar sesión"),
    "Notifications": ("Benachrichtigungen", "Notificaciones"),
    "Plans and seats": ("Tarife und Plätze", "Planes y puestos"),
    "Invoices and payment": ("Rechnungen und Zahlung", "Facturas y pagos"),
    "API": ("API", "API"),
    "Webhooks and apps": ("Webhooks und Apps", "Webhooks y aplicaciones"),
}


def seed_taxonomy() -> None:
    for english, language, name, description in CATEGORY_NAMES:
        category = Category.objects.filter(name=english).first()
        if category is not None:
            CategoryTranslation.objects.get_or_create(
                category=category,
                language=language,
                defaults={"name": name, "description": description},
            )
    for english, (german, spanish) in SECTION_NAMES.items():
        for section in Section.objects.filter(name=english):
            for language, name in (("de", german), ("es", spanish)):
                SectionTranslation.objects.get_or_create(
                    section=section, language=language, defaults={"name": name}
                )


def seed(*, author: User) -> None:
    seed_taxonomy()
    for english_title, language, title, summary, body in TRANSLATIONS:
        original = Article.objects.filter(title=english_title, language="en").first()
        if (
            original is None
            or Article.objects.filter(slug=original.slug, language=language).exists()
        ):
            continue
        article = services.article_save(
            by=author,
            section=original.section,
            title=title,
            slug=original.slug,
            language=language,
            summary=summary,
            tags=original.tags,
            body=body,
        )
        services.article_publish(article=article, by=author)
