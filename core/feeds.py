"""Atom feeds that no stored value can break."""

from django.utils.feedgenerator import Atom1Feed, SimplerXMLGenerator

from core.text import clean_text


class CleanXMLGenerator(SimplerXMLGenerator):
    """Writes every text and attribute through `clean_text`: XML 1.0 refuses control
    characters, and Django's generator raises on them, which would answer 500 to every
    reader of a feed because of one bad value stored before the boundary existed."""

    def characters(self, content):
        super().characters(clean_text(content, max_length=None))

    def startElement(self, name, attrs):
        if attrs:
            attrs = {key: clean_text(value, max_length=None) for key, value in attrs.items()}
        super().startElement(name, attrs)


class CleanAtom1Feed(Atom1Feed):
    def write(self, outfile, encoding):
        # Atom1Feed.write, with the cleaning generator.
        handler = CleanXMLGenerator(outfile, encoding, short_empty_elements=True)
        handler.startDocument()
        handler.startElement("feed", self.root_attributes())
        self.add_root_elements(handler)
        self.write_items(handler)
        handler.endElement("feed")
