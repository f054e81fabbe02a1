"""newsdesk: messy captures of Chinese-language news in, clean articles and stories out."""

from newsdesk.model import Article, Image

__all__ = ["Article", "Image"]
__version__ = "0.1.0"
